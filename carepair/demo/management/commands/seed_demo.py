"""`carepair seed-demo [--scale N] [--seed S] [--until DATE] [--flush]`: build the
synthetic Leshan into the configured database."""

import datetime

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from carepair.demo.seed import build
from carepair.demo.seed.people import DemoAccountTaken


def positive_scale(value: str) -> float:
    scale = float(value)
    if not 0 < scale <= 1000:
        raise ValueError(value)
    return scale


class Command(BaseCommand):
    help = (
        "Build a synthetic Leshan (townships, villages, departments, institutions, social "
        "organisations, users, four tiers of pairings, a three-year ledger and problems) "
        "into the configured database. At --scale 1 the programme summary meets the "
        "article's figures; --scale N multiplies everything."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale",
            type=positive_scale,
            default=1.0,
            help="multiply everything by N (default 1; fractions such as 0.05 for tests)",
        )
        parser.add_argument("--seed", type=int, default=2021, help="random seed (default 2021)")
        parser.add_argument(
            "--until",
            type=datetime.date.fromisoformat,
            default=None,
            help="last day of the three-year ledger, YYYY-MM-DD (default today)",
        )
        parser.add_argument(
            "--flush",
            "--force",
            action="store_true",
            dest="flush",
            help="empty the WHOLE database first (like `carepair flush`), then seed",
        )

    def handle(self, *args, scale, seed, until, flush, **options):
        from carepair.orgs.models import Organisation
        from carepair.regions.models import Level, Region

        where = _describe_database()
        organisations = Organisation.objects.count()
        townships = Region.objects.filter(level__gte=Level.TOWNSHIP).count()
        if (organisations or townships) and not flush:
            raise CommandError(
                f"数据库 {where} 已有数据（{organisations:,} 个单位，{townships:,} 个乡镇/村），"
                "不能在其上生成演示数据：演示数据是一整套虚构的乐山，与已有数据混在一起会"
                "重名、错账。\n"
                "若这是可以丢弃的演示库，加 --flush（或 --force）先清空整个数据库再生成：\n"
                "  carepair seed-demo --flush\n"
                "注意：--flush 会删除库中所有数据，包括用户和管理员账号。"
            )
        if flush:
            self.stdout.write(f"正在清空数据库 {where} …")
            _flush()

        from carepair.lib.vault import create_key_file, key_file

        if create_key_file():
            # The registry's identity numbers are stored encrypted with this key.
            self.stdout.write(f"已生成身份证号加密密钥：{key_file()}（请与数据库分开备份）")
        self.stdout.write(
            f"正在生成演示数据：乐山市，规模 {scale:g}，随机种子 {seed}，"
            f"台账截至 {until or '今天'}，数据库 {where}"
        )
        try:
            counts = build(
                scale=scale, seed=seed, until=until, log=lambda line: self.stdout.write(line)
            )
        except DemoAccountTaken as exc:
            raise CommandError(
                f"演示账号的用户名已被占用：{exc}。请换一个空数据库，或加 --flush。"
            ) from exc
        self.stdout.write(self.style.SUCCESS(f"完成，用时 {counts['seconds']:.1f} 秒。"))
        self.stdout.write("演示账号：carepair demo-accounts")


def _flush() -> None:
    """Empty every table, as `carepair flush` does."""
    deferred = connection.vendor == "postgresql" and connection.in_atomic_block
    if deferred:
        # Inside a transaction (a test, say), rows just written still have deferred
        # foreign-key checks pending, and PostgreSQL will not TRUNCATE such tables.
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    call_command("flush", interactive=False, verbosity=0)
    if deferred:
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def _describe_database() -> str:
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"SQLite {settings['NAME']}"
    host = settings.get("HOST") or "localhost"
    return f"{connection.vendor} {settings['NAME']}@{host}"
