"""The `carepair` command: Django's management commands against the configured database.

`carepair demo`, `carepair serve`, `carepair seed-demo`, `carepair demo-accounts`, `carepair token`,
`carepair report summary`, `carepair import people`, `carepair match link`,
`carepair db_worker` are CarePair's own; everything else (`migrate`, `runserver`, `shell`,
...) is Django's.
"""

import os
import sys

# Spelled with hyphens on the command line, with underscores as Python modules.
ALIASES = {
    "seed-demo": "seed_demo",
    "demo-accounts": "demo_accounts",
    "escalate-overdue": "escalate_overdue",
}


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv if argv is None else argv)
    if len(argv) > 1:
        argv[1] = ALIASES.get(argv[1], argv[1])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "carepair.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
