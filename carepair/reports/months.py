"""Months (月份) as the dashboard counts them: in local time (Asia/Shanghai), worked out by
the database itself."""

import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import CharField, Func
from django.utils import timezone


class LocalMonth(Func):
    """The month of a datetime in the local time zone, worked out by the database itself
    (Django's TruncMonth runs a Python function per row on SQLite: far too slow here)."""

    output_field = CharField()

    def _offset_minutes(self) -> int:
        # Asia/Shanghai has kept one offset (UTC+8) since 1991, so one offset is exact.
        offset = timezone.now().astimezone(ZoneInfo(settings.TIME_ZONE)).utcoffset()
        return int(offset.total_seconds() // 60)

    def as_sqlite(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        shift = f"{self._offset_minutes():+d} minutes"
        return f"strftime(%s, {sql}, %s)", ["%Y-%m", *params, shift]

    def as_postgresql(self, compiler, connection, **extra):
        # date_trunc is cheaper per row than to_char; month_text() formats the few groups.
        sql, params = compiler.compile(self.source_expressions[0])
        return f"date_trunc('month', ({sql}) AT TIME ZONE %s)", [*params, settings.TIME_ZONE]


def month_text(value) -> str:
    """'YYYY-MM' from what LocalMonth returns (text on SQLite, a timestamp on PostgreSQL)."""
    return value if isinstance(value, str) else value.strftime("%Y-%m")


class Unindexed(Func):
    """A column that SQLite must not look up through an index (`+column`): for a filter that
    matches nearly every row, where a covering index serves the query much better."""

    template = "%(expressions)s"

    def as_sqlite(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"+{sql}", params


def months_between(first: str, last: str) -> list[str]:
    """Every 'YYYY-MM' from first to last, both included."""
    year, month = map(int, first.split("-"))
    out = []
    while f"{year:04d}-{month:02d}" <= last:
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def first_day(value) -> datetime.date:
    """The first day of the month LocalMonth returns, or of a date's month."""
    if isinstance(value, str):
        year, month = map(int, value.split("-")[:2])
        return datetime.date(year, month, 1)
    if isinstance(value, datetime.datetime):
        value = value.date()
    return value.replace(day=1)


def next_month(first: datetime.date) -> datetime.date:
    return (first + datetime.timedelta(days=32)).replace(day=1)


def local_month(moment: datetime.datetime) -> datetime.date:
    """The first day of the local month of a moment."""
    return timezone.localtime(moment).date().replace(day=1)
