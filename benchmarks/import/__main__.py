"""Import benchmark: `python -m benchmarks.import [--rows 100000] [--peer-rows 5000]`.

It writes N valid synthetic people (valid ID numbers, Chinese names, villages of a region
tree it creates under Leshan's real counties) as CSV and as .xlsx (kept under
benchmarks/results/ for reuse), then, for each database (SQLite, and PostgreSQL when
reachable), in a fresh process:
  - imports the CSV, then the .xlsx, with `carepair.people.imports.import_people` (every
    row through check_person(), villages checked, numbers encrypted and hashed, history
    rows, visit plans), into an emptied registry, as a city administrator (as the page
    and its job do: the user is recorded on every person and history row);
  - imports the first --peer-rows rows of the same CSV with django-import-export (the
    peer) into the same, emptied registry, as the same user, through a Resource that
    does the same work (see PersonResource below), and gives its rate; the peer's time
    for N rows is that rate extrapolated, which the table says.
It prints rows per second for each and the ratio of ours to the peer's.
"""

import argparse
import csv
import datetime
import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "benchmarks" / "results"
PG_URL = os.environ.get("CAREPAIR_BENCH_PG", "postgres://postgres@127.0.0.1:5432")
TOWNSHIPS_PER_COUNTY = 10
VILLAGES_PER_TOWNSHIP = 20
TODAY = datetime.date.today()


# --- the synthetic file ----------------------------------------------------------------


def villages() -> list[tuple[str, str, int, str]]:
    """(code, name, level, parent code) of made-up townships and villages under the real
    counties: 11 x 10 x 20 = 2,200 villages."""
    from carepair.regions import leshan

    rows = []
    for county, _name in leshan.COUNTIES:
        if county.startswith("511171"):
            continue  # the high-tech zone has no townships of its own here
        for t in range(1, TOWNSHIPS_PER_COUNTY + 1):
            township = f"{county[:6]}{100 + t:03d}000"
            rows.append((township, f"测试镇{t}", 3, county))
            for v in range(1, VILLAGES_PER_TOWNSHIP + 1):
                rows.append((f"{township[:9]}{v:03d}", f"测试村{t}-{v}", 4, township))
    return rows


def synthetic_rows(n: int, seed: int = 2021):
    """n people: three in four elderly (60 to 99), one in four children (3 to 17)."""
    from carepair.demo import names
    from carepair.people import idnumber, imports

    rng = random.Random(seed)
    codes = [code for code, _n, level, _p in villages() if level == 4]
    used: set[str] = set()
    words = {v: k for k, v in imports.CATEGORY_WORDS.items() if not k.isascii()}
    elderly = ["dibao", "alone", "empty_nest", "left_behind_elder", "partly_disabled"]
    children = ["left_behind_child", "child_in_difficulty", "orphan"]
    for _ in range(n):
        village = rng.choice(codes)
        child = rng.random() < 0.25
        age = rng.randint(3, 17) if child else rng.randint(60, 99)
        while True:
            born = TODAY - datetime.timedelta(days=age * 365 + rng.randint(0, 364))
            first17 = f"{village[:6]}{born:%Y%m%d}{rng.randint(0, 999):03d}"
            number = first17 + idnumber.check_character(first17)
            if number not in used:
                used.add(number)
                break
        name, _pinyin = names.person_name(rng, village[:6])
        held = [rng.choice(children if child else elderly)]
        if not child and age >= 81:
            held.append("over_80")
        since = TODAY - datetime.timedelta(days=200)
        yield {
            "姓名": name,
            "身份证号": number,
            "性别": "男" if int(number[16]) % 2 else "女",
            "出生日期": born.isoformat(),
            "联系电话": names.mobile(rng),
            "户籍地址": f"乐山市测试路{rng.randint(1, 999)}号",
            "现住址": f"乐山市测试路{rng.randint(1, 999)}号",
            "村（社区）代码": village,
            "居住情况": "独居" if "alone" in held else "与子女同住",
            "帮扶类别": "；".join(words[c] for c in held),
            "认定日期": since.isoformat(),
            "认定单位": "县民政局",
            "监护人或紧急联系人": names.person_name(rng, village[:6])[0],
            "与本人关系": "祖父" if child else "儿子",
            "联系人电话": names.mobile(rng),
        }


def write_files(n: int) -> tuple[Path, Path]:
    from carepair.people import imports

    csv_path = RESULTS / f"people-{n}.csv"
    xlsx_path = RESULTS / f"people-{n}.xlsx"
    headers = [c.header for c in imports.COLUMNS]
    if not csv_path.exists():
        with csv_path.open("w", encoding="utf-8-sig", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(headers)
            for person in synthetic_rows(n):
                writer.writerow([person[h] for h in headers])
    if not xlsx_path.exists():
        from openpyxl import Workbook

        book = Workbook(write_only=True)
        sheet = book.create_sheet("帮扶对象")
        with csv_path.open(encoding="utf-8-sig", newline="") as fh:
            for cells in csv.reader(fh):
                sheet.append(cells)
        book.save(xlsx_path)
    return csv_path, xlsx_path


# --- the peer: django-import-export ----------------------------------------------------


def peer_resource(actor):
    """A django-import-export Resource for Person doing the work our import does, the
    way its documentation shows: each row is checked by the same check_person() and its
    number encrypted and hashed in before_import_row; the village is resolved by a
    ForeignKeyWidget limited to villages; the person is found again by the keyed hash
    (import_id_fields), so a second import updates rather than doubles; categories and
    the contact are created in after_save_instance; history rows, with the importing
    user, come from simple_history's signal (the categories' from its
    bulk_create_with_history); the visit plans are computed once at the end
    (after_import). Diffs are skipped (skip_diff), which is its fastest row-by-row mode."""
    from import_export import fields, resources, widgets
    from simple_history.utils import bulk_create_with_history

    from carepair.lib.errors import ValidationError
    from carepair.lib.vault import vault
    from carepair.people import imports
    from carepair.people.models import Contact, ContactKind, Person, PersonCategory
    from carepair.people.services import (
        ADULT_AGE,
        CategoryLine,
        age_on,
        check_person,
        plan_refresh,
    )
    from carepair.regions.models import Level, Region

    class VillageWidget(widgets.ForeignKeyWidget):
        def get_queryset(self, value, row, *args, **kwargs):
            return Region.objects.filter(level=Level.VILLAGE)

    class PersonResource(resources.ModelResource):
        name = fields.Field(attribute="name", column_name="姓名")
        phone = fields.Field(attribute="phone", column_name="联系电话")
        household_address = fields.Field(attribute="household_address", column_name="户籍地址")
        address = fields.Field(attribute="address", column_name="现住址")
        region = fields.Field(
            attribute="region", column_name="村（社区）代码", widget=VillageWidget(Region, "code")
        )
        living = fields.Field(attribute="living", column_name="living")
        id_hash = fields.Field(attribute="id_hash", column_name="id_hash")
        id_cipher = fields.Field(attribute="id_cipher", column_name="id_cipher")
        id_masked = fields.Field(attribute="id_masked", column_name="id_masked")
        sex = fields.Field(attribute="sex", column_name="sex")
        birth_date = fields.Field(
            attribute="birth_date", column_name="birth_date", widget=widgets.DateWidget()
        )

        class Meta:
            model = Person
            import_id_fields = ("id_hash",)
            fields = (
                "name",
                "phone",
                "household_address",
                "address",
                "region",
                "living",
                "id_hash",
                "id_cipher",
                "id_masked",
                "sex",
                "birth_date",
            )
            skip_diff = True
            use_transactions = True

        def before_import(self, dataset, **kwargs):
            # Columns the rows' checks fill in.
            for header in ("id_hash", "id_cipher", "id_masked", "sex", "birth_date", "living"):
                if header not in dataset.headers:
                    dataset.append_col([""] * len(dataset), header=header)

        def before_import_row(self, row, **kwargs):
            since = datetime.date.fromisoformat(row["认定日期"])
            lines = [
                CategoryLine(imports.CATEGORY_WORDS[w], since, source=row["认定单位"])
                for w in row["帮扶类别"].split("；")
                if w
            ]
            try:
                checked = check_person(
                    name=row["姓名"],
                    id_number=row["身份证号"],
                    sex=imports.SEX_WORDS[row["性别"]],
                    birth_date=datetime.date.fromisoformat(row["出生日期"]),
                    categories=lines,
                )
            except ValidationError as exc:
                raise ValueError(exc.messages) from None
            keys = vault()
            row["id_hash"] = keys.digest(checked.id.number)
            row["id_cipher"] = keys.encrypt(checked.id.number)
            row["id_masked"] = checked.id.masked
            row["sex"] = checked.sex
            row["birth_date"] = checked.birth_date.isoformat()
            row["living"] = imports.LIVING_WORDS[row["居住情况"]]
            row["_categories"] = lines

        def before_save_instance(self, instance, row, **kwargs):
            instance.created_by = actor
            instance._history_user = actor  # simple_history's signal records who

        def after_save_instance(self, instance, row, **kwargs):
            # With their history rows, as ours writes them (bulk_create sends no signal).
            bulk_create_with_history(
                [
                    PersonCategory(
                        person=instance, category=c.category, start_on=c.start_on, source=c.source
                    )
                    for c in row["_categories"]
                ],
                PersonCategory,
                default_user=actor,
            )
            child = age_on(instance.birth_date, datetime.date.today()) < ADULT_AGE
            contact = Contact(
                person=instance,
                kind=ContactKind.GUARDIAN if child else ContactKind.EMERGENCY,
                name=row["监护人或紧急联系人"],
                relation=row["与本人关系"],
                phone=row["联系人电话"],
            )
            contact._history_user = actor
            contact.save()

        def after_import(self, dataset, result, **kwargs):
            plan_refresh()

    return PersonResource()


# --- the child process: one database ---------------------------------------------------


def empty_registry() -> None:
    from django.db import connection

    from carepair.people.models import Contact, Person, PersonCategory

    tables = [
        m._meta.db_table
        for m in (
            Contact.history.model,
            PersonCategory.history.model,
            Person.history.model,
            Contact,
            PersonCategory,
            Person,
        )
    ]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"TRUNCATE {', '.join(tables)} CASCADE")
        else:
            for table in tables:
                cursor.execute(f"DELETE FROM {table}")
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM")


def measure(rows: int, peer_rows: int) -> dict:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "carepair.settings")
    import django

    django.setup()
    import tablib
    from django.db import connection

    from carepair.accounts.models import User
    from carepair.accounts.roles import Role
    from carepair.people import imports
    from carepair.people.models import Person
    from carepair.regions import leshan
    from carepair.regions.models import Region

    Region.objects.bulk_create(
        [Region(code=c, name=n, level=lv, parent_id=p) for c, n, lv, p in villages()],
        ignore_conflicts=True,
    )
    # Imported as a user, as the page and its job do: their name is on every person and
    # history row written.
    actor, _created = User.objects.get_or_create(
        username="bench_city_admin", defaults={"role": Role.CITY_ADMIN, "region_id": leshan.CITY[0]}
    )
    csv_path, xlsx_path = write_files(rows)
    figures = {}
    for label, path in (("CSV", csv_path), ("xlsx", xlsx_path)):
        empty_registry()
        marks = {}

        def progress(stage, done, total, marks=marks):
            marks.setdefault(stage, time.perf_counter())

        started = time.perf_counter()
        outcome = imports.import_people(
            actor=actor, data=path.read_bytes(), filename=path.name, progress=progress
        )
        seconds = time.perf_counter() - started
        assert not outcome.rejected and outcome.created == rows, outcome.counts()
        assert Person.objects.count() == rows
        figures[f"ours {label}"] = {
            "rows": rows,
            "seconds": seconds,
            # The file read and its numbers hashed; then rows checked and written
            # together; then the last of the writing.
            "reading": marks["checking"] - started,
            "checking and writing": marks["writing"] - started,
        }

    # The peer, on the first peer_rows rows of the same CSV.
    empty_registry()
    with csv_path.open(encoding="utf-8-sig", newline="") as fh:
        head = "".join(line for _i, line in zip(range(peer_rows + 1), fh, strict=False))
    resource = peer_resource(actor)
    started = time.perf_counter()
    dataset = tablib.Dataset().load(head, format="csv")
    result = resource.import_data(dataset, dry_run=False, raise_errors=True)
    seconds = time.perf_counter() - started
    assert not result.has_errors() and Person.objects.count() == peer_rows
    figures["django-import-export CSV"] = {"rows": peer_rows, "seconds": seconds}
    return {"figures": figures, "vendor": connection.vendor}


def prepare(name: str, url: str) -> dict | None:
    env = {**os.environ, "CAREPAIR_DATABASE_URL": url, "CAREPAIR_DATA_DIR": str(RESULTS)}
    if url.startswith("postgres"):
        base, db = url.rsplit("/", 1)
        probe = subprocess.run(
            ["psql", f"{base}/postgres", "-tAc", f"SELECT 1 FROM pg_database WHERE datname='{db}'"],
            capture_output=True,
            text=True,
        )
        if probe.returncode != 0:
            print(f"{name}: not reachable, skipped ({probe.stderr.strip()})")
            return None
        if probe.stdout.strip() != "1":
            subprocess.run(["psql", f"{base}/postgres", "-qc", f"CREATE DATABASE {db}"], check=True)
    subprocess.run(
        [sys.executable, "-m", "carepair.cli", "migrate", "-v", "0"], env=env, check=True, cwd=ROOT
    )
    subprocess.run(
        [sys.executable, "-m", "carepair.cli", "keys", "create"],
        env=env,
        check=True,
        cwd=ROOT,
        capture_output=True,
    )
    return env


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--peer-rows", type=int, default=5_000)
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(args.rows, args.peer_rows)))
        return 0

    RESULTS.mkdir(parents=True, exist_ok=True)
    targets = {
        "sqlite": f"sqlite:///{RESULTS / 'bench-import.sqlite3'}",
        "postgresql": f"{PG_URL}/carepair_bench_import",
    }
    results = []
    for name, url in targets.items():
        if args.only and name != args.only:
            continue
        env = prepare(name, url)
        if env is None:
            continue
        print(f"{name}: importing …", flush=True)
        out = subprocess.run(
            [
                sys.executable,
                "-m",
                "benchmarks.import",
                "--child",
                "--rows",
                str(args.rows),
                "--peer-rows",
                str(args.peer_rows),
            ],
            env=env,
            cwd=ROOT,
            check=True,
            stdout=subprocess.PIPE,
            text=True,
        ).stdout
        results.append((name, json.loads(out.strip().splitlines()[-1])["figures"]))

    print()
    print(
        f"import benchmark: {args.rows:,} people, every row validated "
        f"(django-import-export timed on the first {args.peer_rows:,} rows)"
    )
    print(
        f"{'database':<10} {'importer':<24} {'rows':>8} {'seconds':>7} "
        f"{'rows/s':>8} {'ours/peer':>9}"
    )
    for name, figures in results:
        peer = figures["django-import-export CSV"]
        peer_rate = peer["rows"] / peer["seconds"]
        for what, f in figures.items():
            rate = f["rows"] / f["seconds"]
            ratio = f"{rate / peer_rate:.1f}x" if what.startswith("ours") else ""
            print(
                f"{name:<10} {what:<24} {f['rows']:>8,} {f['seconds']:>7.1f} "
                f"{rate:>8,.0f} {ratio:>9}"
            )
        for what, f in figures.items():
            if "checking and writing" in f:
                read, both = f["reading"], f["checking and writing"]
                print(
                    f"{'':<10} ({what}: reading {read:.1f} s, then checking and writing "
                    f"together {both - read:.1f} s; merging, figures and commit "
                    f"{f['seconds'] - both:.1f} s)"
                )
        print(
            f"{'':<10} (django-import-export for {args.rows:,} rows, extrapolated: "
            f"{args.rows / peer_rate:,.0f} s)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
