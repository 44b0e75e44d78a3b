"""`carepair people refresh-plans`: work out every visit plan again from the rules, the
categories, ages and last visits (run it nightly: ages move, and a person turning 80
may need weekly visits from tomorrow)."""

import time

from django.core.management.base import BaseCommand
from django.db import transaction

from carepair.people.services import plan_refresh


class Command(BaseCommand):
    help = "People in need: `people refresh-plans` recomputes every visit plan."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["refresh-plans"])

    def handle(self, *args, action, **options):
        started = time.perf_counter()
        with transaction.atomic():
            changed = plan_refresh()
        self.stdout.write(f"visit plans: {changed} changed ({time.perf_counter() - started:.1f} s)")
