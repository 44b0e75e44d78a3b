"""Reading the two lists (CSV in UTF-8 or GBK, or Parquet) and writing the pairs, with
errors a data officer can act on and nothing half-written."""

import codecs
import csv
import os
import tempfile
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

COLUMNS = ("record_id", "name", "id_number", "birth_date", "sex", "phone", "address")


class LinkInputError(ValueError):
    """A list that cannot be linked as it is, with the reason in words."""


def _csv_encoding(path: Path) -> str:
    """utf-8 when the whole file decodes as UTF-8, else GB18030 (a superset of GBK and
    GB2312, what Chinese Excel writes)."""
    decoder_ok = True
    with path.open("rb") as f:
        decoder = codecs.getincrementaldecoder("utf-8")()
        while chunk := f.read(1 << 22):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError:
                decoder_ok = False
                break
    return "utf-8" if decoder_ok else "gb18030"


def read_list(path: str | os.PathLike) -> pa.Table:
    """A list as an Arrow table: the standard columns as strings, other columns as they
    are. Raises LinkInputError for what cannot be read."""
    path = Path(path)
    if not path.is_file():
        raise LinkInputError(f"No such file: {path}")
    suffix = path.suffix.lower()
    try:
        if suffix == ".parquet":
            table = pq.read_table(path)
        elif suffix in (".csv", ".txt"):
            table = _read_csv(path)
        else:
            raise LinkInputError(f"{path}: a list is a .csv or .parquet file, not {suffix!r}.")
    except (pa.ArrowInvalid, OSError) as exc:
        raise LinkInputError(f"{path}: cannot be read: {exc}") from None
    return prepare(table, str(path))


def prepare(table: pa.Table, source: str = "the list") -> pa.Table:
    """The standard columns checked and made strings; other columns kept as they are."""
    path = source
    names = [str(n).strip().lstrip("\ufeff") for n in table.column_names]
    table = table.rename_columns(names)
    missing = [c for c in COLUMNS if c not in names]
    if missing:
        raise LinkInputError(
            f"{path}: missing columns: {', '.join(missing)}. A list has the columns "
            f"{', '.join(COLUMNS)} (any but record_id may be left empty); "
            f"this one has {', '.join(names) or 'none'}."
        )
    for column in COLUMNS:
        if table.schema.field(column).type != pa.string():
            index = table.column_names.index(column)
            table = table.set_column(index, column, table.column(column).cast(pa.string()))
    ids = table.column("record_id")
    if ids.null_count:
        raise LinkInputError(f"{path}: {ids.null_count} rows have no record_id.")
    return table


def _read_csv(path: Path) -> pa.Table:
    encoding = _csv_encoding(path)
    with path.open(encoding=encoding, newline="") as f:
        names = next(csv.reader(f), [])
    names = [n.lstrip("\ufeff") for n in names]
    if not names:
        raise LinkInputError(f"{path}: the file is empty.")
    return pa_csv.read_csv(
        path,
        read_options=pa_csv.ReadOptions(encoding=encoding, block_size=1 << 24),
        convert_options=pa_csv.ConvertOptions(
            column_types={n: pa.string() for n in names},
            strings_can_be_null=True,
            null_values=[""],
            quoted_strings_can_be_null=True,
        ),
    )


def check_output(path: str | os.PathLike) -> Path:
    """The pairs' path, refused before any work when it cannot be written."""
    path = Path(path)
    if path.suffix.lower() not in (".csv", ".parquet"):
        raise LinkInputError(f"{path}: the pairs are written as .csv or .parquet.")
    if not path.parent.is_dir():
        raise LinkInputError(f"{path}: no such directory {path.parent}.")
    return path


def write_pairs(table: pa.Table, path: str | os.PathLike) -> None:
    """CSV when the name ends .csv, Parquet when .parquet; written to a temporary file
    beside the target and renamed, so a failed run leaves no half-written pairs."""
    path = check_output(path)
    suffix = path.suffix.lower()
    directory = path.parent
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=directory)
    os.close(fd)
    try:
        if suffix == ".csv":
            pa_csv.write_csv(table, tmp)
        else:
            pq.write_table(table, tmp)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
