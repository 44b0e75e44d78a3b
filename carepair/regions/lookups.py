"""`field__prefix="511102"`: "this region and everything below it" as a range on the code.

A range (code >= '511102' AND code < '511103') is answered from the index by both SQLite
and PostgreSQL whatever the collation, where LIKE '511102%' makes SQLite scan the index.
"""

from django.db.models import CharField, Lookup


def upper_bound(prefix: str) -> str | None:
    """The smallest digit string of the same length above every code with this prefix."""
    if not prefix.isdigit():
        raise ValueError(f"not a region code prefix: {prefix!r}")
    if set(prefix) == {"9"}:
        return None
    return str(int(prefix) + 1).zfill(len(prefix))


@CharField.register_lookup
class Prefix(Lookup):
    lookup_name = "prefix"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        prefix = str(self.rhs)
        upper = upper_bound(prefix)
        if upper is None:
            return f"{lhs} >= %s", [*lhs_params, prefix]
        return f"({lhs} >= %s AND {lhs} < %s)", [*lhs_params, prefix, upper]
