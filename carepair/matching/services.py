"""Big data comparison's writes: uploading a list and mapping its columns, running a
scenario (as a background job), and settling a finding at the door."""

import datetime
import io
import logging
import re
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_tasks import task

from carepair.accounts.roles import Perm
from carepair.accounts.scope import scope_of
from carepair.lib.errors import NotAllowed, ValidationError
from carepair.lib.vault import vault
from carepair.matching.engine import scenarios
from carepair.matching.engine.normalise import Unreadable, parse_date
from carepair.matching.models import Action, DataList, Finding, ListKind, Run
from carepair.people import idnumber
from carepair.people.imports.reading import FileProblem, cell_text, decode_csv, read_table
from carepair.people.models import Category, Person, PersonCategory
from carepair.regions.models import Region

logger = logging.getLogger(__name__)

ENGINE_COLUMNS = ("record_id", "name", "id_number", "birth_date", "sex", "phone", "address")
DATE_COLUMNS = ("birth_date", "death_date", "paid_from", "admitted_on", "discharged_on")
MONTH_COLUMNS = ("paid_from",)  # a month (2026-11, 2026年11月) stands for its first day
_MONTH = re.compile(r"^\s*(\d{4})\s*(?:[-/.年]\s*(\d{1,2})\s*月?|(\d{2}))\s*$")


def _month(text: str) -> str | None:
    """2026-11, 2026/11, 2026年11月 or 202611 as the first day of that month."""
    match = _MONTH.match(text)
    if not match:
        return None
    month = int(match[2] or match[3])
    return f"{match[1]}-{month:02d}-01" if 1 <= month <= 12 else None


# What a column is often called in a department's spreadsheet.
ALIASES = {
    "record_id": ("编号", "序号", "记录号", "record_id", "id"),
    "name": ("姓名", "名字", "name"),
    "id_number": ("身份证号", "身份证号码", "公民身份号码", "证件号码", "id_number"),
    "birth_date": ("出生日期", "出生年月", "birth_date"),
    "sex": ("性别", "sex"),
    "phone": ("联系电话", "电话", "手机号", "phone"),
    "address": ("地址", "住址", "户籍地址", "家庭住址", "address"),
    "region_code": ("村（社区）代码", "区划代码", "行政区划代码", "region_code"),
    "death_date": ("死亡日期", "death_date"),
    "benefit": ("救助类别", "保障类别", "benefit"),
    "paid_from": ("发放起始月", "发放月份", "paid_from"),
    "lives_alone": ("是否独居", "独居", "lives_alone"),
    "grade": ("残疾等级", "等级", "grade"),
    "school": ("学校", "就读学校", "school"),
    "father_id_number": ("父亲身份证号", "father_id_number"),
    "mother_id_number": ("母亲身份证号", "mother_id_number"),
    "workplace": ("务工地点", "workplace"),
    "plate": ("车牌号", "号牌号码", "plate"),
    "business": ("企业名称", "字号名称", "business"),
    "admitted_on": ("入院日期", "admitted_on"),
    "discharged_on": ("出院日期", "discharged_on"),
}
SHOWN_PROBLEMS = 20
COLUMN_LABELS = {
    "record_id": gettext_lazy("Record number (编号)"),
    "name": gettext_lazy("Name (姓名)"),
    "id_number": gettext_lazy("ID number (身份证号)"),
    "birth_date": gettext_lazy("Birth date (出生日期)"),
    "sex": gettext_lazy("Sex (性别)"),
    "phone": gettext_lazy("Phone (电话)"),
    "address": gettext_lazy("Address (地址)"),
    "region_code": gettext_lazy("Village code (村（社区）代码)"),
    "death_date": gettext_lazy("Date of death (死亡日期)"),
    "benefit": gettext_lazy("Benefit (救助类别)"),
    "paid_from": gettext_lazy("Paid from (发放起始月)"),
    "lives_alone": gettext_lazy("Lives alone (是否独居)"),
    "grade": gettext_lazy("Disability grade (残疾等级)"),
    "school": gettext_lazy("School (学校)"),
    "father_id_number": gettext_lazy("Father's ID number (父亲身份证号)"),
    "mother_id_number": gettext_lazy("Mother's ID number (母亲身份证号)"),
    "workplace": gettext_lazy("Place of work (务工地点)"),
    "plate": gettext_lazy("Number plate (车牌号)"),
    "business": gettext_lazy("Business (企业名称)"),
    "admitted_on": gettext_lazy("Admitted on (入院日期)"),
    "discharged_on": gettext_lazy("Discharged on (出院日期)"),
}


def may_compare(actor) -> None:
    if not actor.can(Perm.RUN_COMPARISON) or not scope_of(actor).owns_a_region:
        raise NotAllowed(_("Your role may not run comparisons."))


def columns_for(kind: str) -> tuple[str, ...]:
    return ENGINE_COLUMNS + scenarios.EXTRA[kind]


def _key(text) -> str:
    return re.sub(r"[\s*＊]+", "", str(text or "")).replace("(", "（").replace(")", "）").lower()


def guess_columns(headers: list[str], kind: str) -> dict[str, str]:
    """Our column -> the file's header, for the headers that say what they are."""
    by_key = {_key(h): h for h in headers if str(h or "").strip()}
    guessed = {}
    for column in columns_for(kind):
        for alias in ALIASES.get(column, (column,)):
            if _key(alias) in by_key:
                guessed[column] = by_key[_key(alias)]
                break
    return guessed


def _table(data: bytes, filename: str) -> tuple[list[str], list[list]]:
    """The header and the rows of an .xlsx, .csv (UTF-8 or GBK) or .parquet file."""
    if filename.lower().endswith(".parquet"):
        try:
            table = pq.read_table(io.BytesIO(data))
        except (pa.ArrowInvalid, OSError) as exc:
            raise FileProblem(
                _("The Parquet file cannot be read: %(why)s") % {"why": exc}
            ) from None
        headers = [str(n) for n in table.column_names]
        columns = [table.column(n).to_pylist() for n in table.column_names]
        return headers, [list(r) for r in zip(*columns, strict=True)]
    if filename.lower().endswith(".csv"):
        decode_csv(data)  # a clear message for a file in neither encoding
    rows = read_table(data, filename)
    rows = [r for r in rows if any(cell_text(c) for c in r)]
    if not rows:
        raise FileProblem(_("The file is empty."))
    return [cell_text(h) for h in rows[0]], rows[1:]


@transaction.atomic
def list_upload(*, actor, upload, name: str, kind: str, department: str = "", as_of=None):
    """Keep an uploaded list as a draft whose columns are mapped next (`list_map`)."""
    may_compare(actor)
    if kind not in ListKind.values:
        raise ValidationError({"kind": _("Choose what kind of list this is.")})
    filename = Path(upload.name or "").name
    if not filename.lower().endswith((".xlsx", ".xlsm", ".csv", ".parquet")):
        raise ValidationError(
            {"file": _("Upload an Excel workbook (.xlsx), a CSV file or a Parquet file.")}
        )
    data = upload.read()
    try:
        headers, rows = _table(data, filename)
    except FileProblem as exc:
        raise ValidationError({"file": str(exc)}) from None
    if not rows:
        raise ValidationError({"file": _("The file has a header row but no rows.")})
    region = _home(actor)
    return DataList.objects.create(
        name=(name or Path(filename).stem)[:128],
        kind=kind,
        department=department[:128],
        as_of=as_of,
        region=region,
        file=ContentFile(data, name=filename),
        rows=len(rows),
        columns={"headers": headers, "mapped": guess_columns(headers, kind)},
        uploaded_by=actor,
    )


def list_map(*, actor, data_list: DataList, mapping: dict[str, str]) -> DataList:
    """Map the draft's columns and keep its rows in the engine's columns (Parquet). All
    the rows are read or none: unreadable dates are reported by row."""
    may_compare(actor)
    if data_list.ready:
        raise ValidationError(_("This list is ready already."))
    headers = data_list.columns.get("headers", [])
    mapping = {k: v for k, v in mapping.items() if v}
    errors = {}
    unknown = [v for v in mapping.values() if v not in headers]
    if unknown:
        errors["__all__"] = _("Not a column of the file: %(c)s") % {"c": "、".join(unknown)}
    if "name" not in mapping and "id_number" not in mapping:
        errors["name"] = _("Map the name or the ID number column (or both).")
    if data_list.kind == ListKind.DEATHS and "death_date" not in mapping:
        errors["death_date"] = _("A list of deaths needs its date of death.")
    if errors:
        raise ValidationError(errors)
    with data_list.file.open("rb") as fh:
        file_headers, rows = _table(fh.read(), data_list.file.name)
    at = {column: file_headers.index(header) for column, header in mapping.items()}
    out: dict[str, list] = {c: [] for c in columns_for(data_list.kind)}
    problems = []
    for n, cells in enumerate(rows, start=2):
        for column in out:
            i = at.get(column)
            value = cell_text(cells[i]) if i is not None and i < len(cells) else ""
            if column == "record_id" and not value:
                value = str(n)  # the row number, as the file shows it
            if value and column in DATE_COLUMNS:
                try:
                    value = (_month(value) if column in MONTH_COLUMNS else None) or parse_date(
                        value
                    ).isoformat()
                except (Unreadable, AttributeError):
                    problems.append((n, mapping[column], value))
            out[column].append(value or None)
    if problems:
        shown = "; ".join(
            _("row %(row)d, %(column)s: “%(value)s” is not a date")
            % {"row": r, "column": c, "value": v}
            for r, c, v in problems[:SHOWN_PROBLEMS]
        )
        raise ValidationError(
            _("%(n)d dates cannot be read, so the list was not kept: %(shown)s")
            % {"n": len(problems), "shown": shown}
        )
    ids = out["record_id"]
    if len(set(ids)) != len(ids):
        raise ValidationError({"record_id": _("Record numbers repeat: map another column.")})
    buffer = io.BytesIO()
    pq.write_table(pa.table({c: pa.array(v, pa.string()) for c, v in out.items()}), buffer)
    with transaction.atomic():
        old = data_list.file.name
        data_list.file.save(f"list-{data_list.pk}.parquet", ContentFile(buffer.getvalue()), False)
        data_list.columns = {**data_list.columns, "mapped": mapping}
        data_list.ready = True
        data_list.save()
    data_list.file.storage.delete(old)
    return data_list


def list_discard(*, actor, data_list: DataList) -> None:
    """Drop a list never mapped: its row and its uploaded file."""
    may_compare(actor)
    if data_list.ready:
        raise ValidationError(_("A list in use is kept with the runs that used it."))
    name = data_list.file.name
    data_list.delete()
    if name:
        data_list.file.storage.delete(name)


def list_table(data_list: DataList) -> pa.Table:
    with data_list.file.open("rb") as fh:
        return pq.read_table(io.BytesIO(fh.read()))


def _roles(scenario: str, lists: list[DataList]) -> dict[str, DataList]:
    """Which list plays which part in the scenario, by kind; a clear error if one is
    missing."""
    chosen = scenarios.SCENARIOS[scenario]
    by_kind: dict[str, list[DataList]] = {}
    for data_list in lists:
        by_kind.setdefault(data_list.kind, []).append(data_list)
    roles = {}
    for role in (*chosen.needs, *chosen.either, *chosen.options):
        kind = scenarios.ROLE_KIND.get(role, role)
        available = [d for d in by_kind.get(kind, []) if d not in roles.values()]
        if available:
            roles[role] = available[0]
    missing = [str(ListKind(r).label) for r in chosen.needs if r not in roles]
    if chosen.either and not any(r in roles for r in chosen.either):
        missing.append(_(" or ").join(str(ListKind(r).label) for r in chosen.either))
    if missing:
        raise ValidationError(
            {"lists": _("This comparison also needs: %(kinds)s") % {"kinds": "、".join(missing)}}
        )
    return roles


@transaction.atomic
def run_start(*, actor, scenario: str, lists: list[DataList]) -> Run:
    """Start a run of a scenario over lists the actor may see; it runs in the background."""
    may_compare(actor)
    if scenario not in scenarios.SCENARIOS:
        raise ValidationError({"scenario": _("Choose a comparison.")})
    visible = set(
        DataList.objects.visible_to(actor).filter(ready=True).values_list("pk", flat=True)
    )
    if not lists or any(d.pk not in visible for d in lists):
        raise ValidationError({"lists": _("Choose lists that are ready.")})
    _roles(scenario, lists)
    run = Run.objects.create(scenario=scenario, region=_home(actor), started_by=actor)
    run.lists.set(lists)
    # The queue is a table in the same database: the job is there once this commits.
    result = run_comparison.enqueue(run.pk)
    Run.objects.filter(pk=run.pk).update(task_id=result.id)
    return run


def _home(actor) -> Region:
    if actor.region_id:
        return actor.region
    return Region.objects.filter(level=1).first() or Region.objects.order_by("code").first()


@task()
def run_comparison(run_pk: int) -> dict:
    return run_execute(run_pk)


def registry_table(actor) -> pa.Table:
    """The registry as a list for the engine: the people the run's starter may see, their
    ID numbers decrypted in memory only."""
    keys = vault()
    rows = {c: [] for c in (*ENGINE_COLUMNS, "region_code", "categories")}
    people = Person.objects.visible_to(actor).order_by()
    categories: dict[int, list[str]] = {}
    for pk, category in (
        PersonCategory.objects.current()
        .filter(person__in=people)
        .values_list("person_id", "category")
    ):
        categories.setdefault(pk, []).append(category)
    for p in people.values_list(
        "pk", "name", "id_cipher", "birth_date", "sex", "phone", "address", "region_id"
    ).iterator(chunk_size=5000):
        pk, name, cipher, born, sex, phone, address, region = p
        for column, value in zip(
            rows,
            (
                str(pk),
                name,
                keys.decrypt(cipher),
                born.isoformat(),
                sex,
                phone,
                address,
                region,
                ",".join(categories.get(pk, ())),
            ),
            strict=True,
        ):
            rows[column].append(value or None)
    return pa.table({c: pa.array(v, pa.string()) for c, v in rows.items()})


def run_execute(run_pk: int) -> dict:
    """Run a scenario and write its findings, all or none, saying how far it has got."""
    run = Run.objects.select_related("started_by", "region").get(pk=run_pk)
    if run.finished:
        return run.counts
    Run.objects.filter(pk=run.pk).update(state=Run.State.RUNNING)
    began = time.monotonic()
    comparisons = 0

    def stage(what: str) -> None:
        cache.set(run.progress_key(), (what, round(time.monotonic() - began)), 24 * 3600)

    def linking(step: str) -> None:
        nonlocal comparisons
        if step == "start":
            comparisons += 1
        stage(Run.Stage.LINKING if comparisons <= 1 else f"{Run.Stage.LINKING}:{comparisons}")

    lists = list(run.lists.all())
    try:
        stage(Run.Stage.READING)
        roles = _roles(run.scenario, lists)
        tables = {role: list_table(d) for role, d in roles.items()}
        chosen = scenarios.SCENARIOS[run.scenario]
        if chosen.registry:
            stage(Run.Stage.REGISTRY)
        registry = registry_table(run.started_by) if chosen.registry else None
        stage(Run.Stage.LINKING)
        found = scenarios.run(
            run.scenario, tables, registry=registry, today=timezone.localdate(), progress=linking
        )
        stage(Run.Stage.WRITING)
        counts = _write_findings(run, found, roles)
    except Exception as exc:
        logger.exception("comparison run %s failed", run.pk)
        run.state = Run.State.FAILED
        run.message = (
            str(exc)[:2000]
            if isinstance(exc, ValidationError | ValueError)
            else _("The comparison failed on an unexpected error; no findings were written.")
        )
    else:
        run.state, run.counts, run.findings = Run.State.DONE, counts, counts["new"]
    run.finished_at = timezone.now()
    run.save()
    cache.delete(run.progress_key())
    return run.counts


def _number(raw: str) -> str | None:
    """A valid 18-character ID number, or None."""
    try:
        number = idnumber.normalise(raw or "")
        if len(number) == 15 and number.isdigit():
            number = idnumber.from_15(number)
        return idnumber.parse(number).number
    except idnumber.InvalidIdNumber:
        return None


@transaction.atomic
def _write_findings(run: Run, found: list[dict], roles: dict[str, DataList]) -> dict:
    keys = vault()
    scope = scope_of(run.started_by)
    digests = {keys.digest(f["identity"]): f for f in found}
    # What became of the same finding in earlier runs: dismissed (not raised again),
    # confirmed (acted on: not raised again either), or still open (not doubled).
    rank = {Finding.Status.DISMISSED: 0, Finding.Status.CONFIRMED: 1, Finding.Status.OPEN: 2}
    settled: dict[str, str] = {}
    for identity, status in Finding.objects.filter(identity__in=list(digests)).values_list(
        "identity", "status"
    ):
        if identity not in settled or rank[status] < rank[settled[identity]]:
            settled[identity] = status
    numbers = {d: _number(f["id_number"]) for d, f in digests.items()}
    people = dict(
        Person.objects.visible_to(run.started_by)
        .filter(id_hash__in=[keys.digest(n) for n in numbers.values() if n])
        .values_list("id_hash", "pk")
    )
    regions = dict(
        Region.objects.filter(code__in={_code(f["region_code"]) for f in found}).values_list(
            "code", "code"
        )
    )
    person_regions = dict(
        Person.objects.filter(pk__in=people.values()).values_list("pk", "region_id")
    )
    counts = {
        "found": len(found),
        "new": 0,
        "still_open": 0,
        "confirmed_before": 0,
        "dismissed_before": 0,
    }
    before_key = {
        Finding.Status.DISMISSED: "dismissed_before",
        Finding.Status.CONFIRMED: "confirmed_before",
        Finding.Status.OPEN: "still_open",
    }
    rows = []
    for digest, f in digests.items():
        before = settled.get(digest)
        if before is not None:
            counts[before_key[before]] += 1
            continue
        number = numbers[digest]
        person = people.get(keys.digest(number)) if number else None
        code = regions.get(_code(f["region_code"]))
        if code is None or not scope.owns(code):
            code = person_regions.get(person) or run.region_id
        rows.append(
            Finding(
                run=run,
                scenario=run.scenario,
                identity=digest,
                region_id=code,
                person_id=person,
                name=(f["name"] or "")[:64],
                address=(f.get("address") or "")[:200],
                id_masked=idnumber.mask(number) if number else _masked(f["id_number"]),
                source=roles.get(f["role"]),
                record_id=str(f["record_id"])[:64],
                other_record_id=str(f["other_record_id"] or "")[:64],
                score=f["score"],
                decision=f["decision"] or "",
                rule=(f["rule"] or "")[:32],
                evidence=(f["evidence"] or "")[:255],
                facts=f["facts"] or {},
            )
        )
    Finding.objects.bulk_create(rows, batch_size=1000)
    counts["new"] = len(rows)
    return counts


def _code(raw) -> str:
    code = re.sub(r"\D", "", str(raw or ""))
    return code.ljust(12, "0") if 6 <= len(code) <= 12 else ""


def _masked(raw: str) -> str:
    number = idnumber.normalise(raw or "")
    return idnumber.mask(number) if len(number) > 10 else ""


BENEFITS = (Category.DIBAO, Category.EXTREME_HARDSHIP)


@transaction.atomic
def finding_settle(
    *,
    actor,
    finding: Finding,
    status: str,
    action: str = "",
    note: str = "",
    visit_on: datetime.date | None = None,
) -> Finding:
    """Record what the check at the door found: confirmed, with what was done about it
    (the registry's own services do it where the person is registered), or dismissed,
    with the reason."""
    if not actor.can(Perm.CHECK_FINDINGS):
        raise NotAllowed(_("Your role may not settle findings."))
    finding = Finding.objects.visible_to(actor).select_for_update().get(pk=finding.pk)
    if finding.status != Finding.Status.OPEN:
        raise ValidationError(_("This finding has been settled already."))
    note = note.strip()
    if status == Finding.Status.DISMISSED:
        if not note:
            raise ValidationError({"note": _("Say why the finding is dismissed.")})
        action = ""
    elif status == Finding.Status.CONFIRMED:
        if action not in Action.values:
            raise ValidationError({"action": _("Choose what was done about it.")})
        _act(actor, finding, action, visit_on)
    else:
        raise ValidationError({"status": _("Confirm or dismiss.")})
    finding.status, finding.action, finding.note = status, action, note
    finding.checked_by, finding.checked_at = actor, timezone.now()
    finding.save()
    return finding


def _act(actor, finding: Finding, action: str, visit_on) -> None:
    from carepair.people import services as people

    person = (
        Person.objects.visible_to(actor).filter(pk=finding.person_id).first()
        if finding.person_id
        else None
    )
    today = timezone.localdate()
    if action == Action.BENEFIT_STOPPED and person is not None:
        for held in person.categories.current().filter(category__in=BENEFITS):
            people.category_end(actor=actor, held=held, on=max(today, held.start_on))
    elif action == Action.VISIT_SCHEDULED:
        if person is None:
            raise ValidationError(
                {"action": _("Only a person in the registry can be scheduled for a visit.")}
            )
        if visit_on is None or visit_on < today:
            raise ValidationError({"visit_on": _("Choose a day from today on.")})
        person.next_visit_on = visit_on
        person._history_user = actor
        person.save(update_fields=["next_visit_on"])
        finding.visit_on = visit_on
