"""Imports as jobs (导入任务): an uploaded file becomes an `ImportJob`; a small one is
imported while the page waits, a large one in the background by `carepair db_worker`,
reporting its progress as it goes so the page can show a progress bar.

The progress of a running job is kept in the cache, not in the job's row: the import
reports it from inside its one transaction, where a change to the row would be seen by
nobody until the import ends (and on SQLite another connection could not write it)."""

import logging
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from carepair.lib.errors import NotAllowed, ValidationError
from carepair.people import imports
from carepair.people.models import ImportJob

logger = logging.getLogger(__name__)

SUFFIXES = (".xlsx", ".xls", ".xlsm", ".csv")


def rows_in(data: bytes, filename: str) -> int:
    """About how many rows a file has, cheaply: enough to choose inline or background."""
    if filename.lower().endswith(".csv"):
        return data.count(b"\n")
    if len(data) > 1024 * 1024:
        return settings.CAREPAIR_IMPORT_INLINE_ROWS + 1
    try:
        return len(imports.read_table(data, filename))
    except imports.FileProblem:
        return 0


def job_create(*, actor, upload, good_rows_only: bool, duplicates: str) -> ImportJob:
    """Keep the uploaded file as a job, then import it now (a small file) or enqueue it."""
    imports.may_import(actor)
    name = Path(upload.name or "").name
    if not name.lower().endswith(SUFFIXES):
        raise ValidationError({"file": _("Upload an Excel workbook (.xlsx) or a CSV file (.csv).")})
    if upload.size > settings.CAREPAIR_IMPORT_MAX_BYTES:
        raise ValidationError({"file": _("The file is too large.")})
    if duplicates not in imports.DUPLICATE_MODES:
        raise ValidationError(
            {"duplicates": _("Choose what to do with people already registered.")}
        )
    data = upload.read()
    job = ImportJob.objects.create(
        user=actor,
        region_id=actor.region_id,
        filename=name[:200],
        good_rows_only=good_rows_only,
        duplicates=duplicates,
        file=ContentFile(data, name=name),
    )
    if rows_in(data, name) <= settings.CAREPAIR_IMPORT_INLINE_ROWS:
        job_run(job.pk)
        job.refresh_from_db()
    else:
        result = run_import_job.enqueue(job.pk)
        ImportJob.objects.filter(pk=job.pk).update(task_id=result.id)
        job.task_id = result.id
    return job


def job_run(job_id: int) -> dict:
    """Import a job's file, reporting its progress as it goes; the outcome lands on the job."""
    job = ImportJob.objects.select_related("user").get(pk=job_id)
    if job.finished:
        return job.counts
    ImportJob.objects.filter(pk=job.pk).update(
        state=ImportJob.State.RUNNING, started_at=timezone.now(), stage="reading"
    )

    def progress(stage: str, done: int, total: int) -> None:
        cache.set(job.progress_key(), (stage, done, total), PROGRESS_KEPT)

    job.refresh_from_db()
    try:
        with job.file.open("rb") as fh:
            data = fh.read()
        outcome = imports.import_people(
            actor=job.user,
            data=data,
            filename=job.filename,
            good_rows_only=job.good_rows_only,
            duplicates=job.duplicates,
            progress=progress,
        )
    except (imports.FileProblem, NotAllowed) as exc:
        job.state, job.message = ImportJob.State.REJECTED, str(exc)
    except Exception:
        logger.exception("import job %s failed", job.pk)
        job.state = ImportJob.State.FAILED
        job.message = _("The import failed on an unexpected error; nothing was imported.")
    else:
        job.state = ImportJob.State.REJECTED if outcome.rejected else ImportJob.State.DONE
        job.counts = outcome.counts()
        job.rows_total = job.rows_done = outcome.rows
        job.message = summary(outcome)
        if outcome.problems or outcome.duplicates:
            stem = Path(job.filename).stem
            job.report.save(
                f"{stem}-report.xlsx", ContentFile(imports.report_workbook(outcome)), save=False
            )
    finally:
        # The uploaded file holds full ID numbers: it is not kept past the import.
        job.file.delete(save=False)
    job.stage = ""
    job.finished_at = timezone.now()
    job.save()
    cache.delete(job.progress_key())
    return job.counts


PROGRESS_KEPT = 24 * 3600  # seconds a running job's last progress is kept


def with_progress(job: ImportJob) -> ImportJob:
    """The job, with the progress its run last reported if it is running."""
    if job.state == ImportJob.State.RUNNING:
        live = cache.get(job.progress_key())
        if live is not None:
            job.stage, job.rows_done, job.rows_total = live
    return job


def summary(outcome: imports.Outcome) -> str:
    if outcome.rejected:
        return _(
            "%(bad)d of %(rows)d rows have problems, so nothing was imported. Correct them "
            "(see the error report) and upload the file again, or import the good rows alone."
        ) % {"bad": outcome.bad_rows, "rows": outcome.rows}
    return _(
        "%(rows)d rows: %(created)d people registered, %(merged)d already registered updated, "
        "%(duplicates)d already registered left as they were, %(skipped)d rows with problems "
        "left out."
    ) % {
        "rows": outcome.rows,
        "created": outcome.created,
        "merged": outcome.merged,
        "duplicates": len(outcome.duplicates),
        "skipped": outcome.skipped,
    }


@task()
def run_import_job(job_id: int) -> dict:
    """The background job: import one uploaded file."""
    return job_run(job_id)
