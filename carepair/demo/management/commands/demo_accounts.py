"""`carepair demo-accounts [--json]`: the demo's accounts, one per role and region."""

import json

from django.core.management.base import BaseCommand, CommandError

from carepair.demo.accounts import DEMO_PASSWORD, demo_accounts

KEYS = ("username", "password", "role", "region_code")


class Command(BaseCommand):
    help = (
        "Print one demo account per role and region used by the demo (username, password, "
        f"role, region_code). Every seeded user's password is {DEMO_PASSWORD}."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--json",
            action="store_true",
            help='print [{"username", "password", "role", "region_code", ...}]',
        )

    def handle(self, *args, json: bool = False, **options):
        accounts = demo_accounts()
        if not accounts:
            raise CommandError("没有演示账号：先运行 carepair seed-demo（或 carepair demo）。")
        self.stdout.write(_dumps(accounts) if json else table(accounts))


def _dumps(accounts: list[dict]) -> str:
    return json.dumps(accounts, ensure_ascii=False, indent=2)


def table(accounts: list[dict]) -> str:
    """A plain table: role, region, username, password (and who the account is)."""
    rows = [("角色", "区域", "用户名", "密码", "说明")]
    for a in accounts:
        who = a["full_name"] + (f" · {a['organisation']}" if a["organisation"] else "")
        rows.append(
            (a["role_label"], a["region_name"] or "", a["username"], a["password"], who),
        )
    widths = [max(_width(r[i]) for r in rows) for i in range(len(rows[0]) - 1)]
    lines = []
    for row in rows:
        cells = [_pad(cell, width) for cell, width in zip(row, widths, strict=False)]
        lines.append("  ".join([*cells, row[-1]]).rstrip())
    return "\n".join(lines)


def _width(text: str) -> int:
    """Display width in a terminal: CJK characters take two columns."""
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))
