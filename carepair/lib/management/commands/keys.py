"""`carepair keys create`: write a new key for identity numbers to DATA_DIR/person.key
(unless a key is set or the file exists); `carepair keys new`: print a new key, for
CAREPAIR_PERSON_KEY. Back the key up apart from the database: without it the stored
numbers cannot be read."""

from django.core.management.base import BaseCommand

from carepair.lib.vault import create_key_file, key_file, new_key


class Command(BaseCommand):
    help = "Keys for personal data at rest: `keys create` or `keys new`."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["create", "new"])

    def handle(self, *args, action, **options):
        if action == "new":
            self.stdout.write(new_key())
        elif create_key_file():
            self.stdout.write(
                f"wrote a new key to {key_file()}; back it up apart from the database"
            )
        else:
            self.stdout.write("a key is already set; nothing written")
