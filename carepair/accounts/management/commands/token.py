"""`carepair token USERNAME`: issue an API token and print its key, alone on one line."""

from django.core.management.base import BaseCommand, CommandError

from carepair.accounts.models import ApiToken, User


class Command(BaseCommand):
    help = "Issue a new API token for a user and print its key (shown only this once)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="cli", help="What the token is for (default: cli).")

    def handle(self, *args, username, name, **options):
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user is called {username!r}.")
        if not user.is_active:
            raise CommandError(f"The user {username!r} is inactive; its token would not work.")
        self.stdout.write(ApiToken.issue(user, name=name[:64]))
