"""`carepair escalate-overdue`: move every overdue problem one level up (逐级督办).

Meant to run once a day (cron or a systemd timer); running it twice the same day moves
nothing the second time.
"""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from carepair.problems.services import problems_escalate_overdue


class Command(BaseCommand):
    help = "Escalate overdue problems to the county, then to the city, and say how many moved."

    def add_arguments(self, parser):
        parser.add_argument(
            "--today",
            help="Act as if today were this date (YYYY-MM-DD), e.g. to catch up after a pause.",
        )

    def handle(self, *args, today=None, **options):
        day = None
        if today:
            try:
                day = datetime.date.fromisoformat(today)
            except ValueError as exc:
                raise CommandError(_("--today must be a date such as 2024-07-09.")) from exc
        moved = problems_escalate_overdue(today=day)
        self.stdout.write(
            ngettext("%(count)d problem escalated.", "%(count)d problems escalated.", moved)
            % {"count": moved}
        )
