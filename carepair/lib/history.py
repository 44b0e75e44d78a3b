"""History (变更记录): every change to a registry record, a pairing, a problem or a meal
record kept as a row of who, when and what (django-simple-history), with the project's
choices for its tables.

The history tables are append-only logs, written as often as their records are (an
import writes a row per person, category and contact: hundreds of thousands at once), so
they carry no more than their pages read:
- Who (`history_user`) is neither a database constraint nor indexed. A log needs no
  constraint (simple_history already writes the logs' other references without one); a
  user deleted through Django still becomes "nobody" in it (on_delete=SET_NULL is
  Django's), at the price of a full pass over each history table: users are made
  inactive, and deleted rarely.
- No index on when (`history_date`; SIMPLE_HISTORY_DATE_INDEX in settings).
Pages read a record's history through the record's key and sort its few rows. Without
the constraint and the two indexes, a 100,000-person import on PostgreSQL took a fifth
less time (benchmarks/import). An audit by user or by date would add the index it reads.
"""

from simple_history.models import HistoricalRecords


class History(HistoricalRecords):
    """simple_history's HistoricalRecords, its history_user without a constraint or an
    index."""

    def __init__(self, **options):
        options.setdefault("user_db_constraint", False)
        super().__init__(**options)

    def _get_history_user_fields(self):
        # simple_history has no option for the index; `makemigrations --check` (make
        # test) notices if this hook stops being called.
        fields = super()._get_history_user_fields()
        fields["history_user"].db_index = False
        return fields
