"""Import pages (批量导入): upload a file with its options, follow the job's progress,
download the template and the error report. Views parse, call import_jobs, and render;
a job is reached only through `ImportJob.objects.visible_to(user)`."""

from urllib.parse import quote

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from carepair.accounts.roles import Perm
from carepair.lib.errors import NotAllowed, ValidationError
from carepair.lib.excel import XLSX
from carepair.lib.pages import errors_to_form
from carepair.lib.scoping import visible_or_404
from carepair.people import import_jobs, imports
from carepair.people.models import ImportJob


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("File (.xlsx or .csv)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.xls,.csv"}),
    )
    duplicates = forms.ChoiceField(
        label=gettext_lazy("People already registered (same ID number)"),
        choices=ImportJob.Duplicates.choices,
        initial=ImportJob.Duplicates.REPORT,
        widget=forms.RadioSelect,
    )
    good_rows_only = forms.BooleanField(
        label=gettext_lazy("If some rows have problems, import the good rows alone"),
        required=False,
        help_text=gettext_lazy(
            "Without this, a file with any bad row is rejected whole and nothing is imported."
        ),
    )


def _may_import(request) -> None:
    if not request.user.can(Perm.MANAGE_PEOPLE):
        raise NotAllowed(_("Your role may not import people in need."))


@login_required
def import_start(request):
    _may_import(request)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = import_jobs.job_create(
                actor=request.user,
                upload=form.cleaned_data["file"],
                good_rows_only=form.cleaned_data["good_rows_only"],
                duplicates=form.cleaned_data["duplicates"],
            )
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            return redirect("people_import:job", pk=job.pk)
    jobs = ImportJob.objects.visible_to(request.user).select_related("user")[:10]
    return render(
        request,
        "people/import_start.html",
        {"form": form, "jobs": jobs, "columns": imports.COLUMNS},
    )


@login_required
def import_job(request, pk: int):
    job = import_jobs.with_progress(visible_or_404(ImportJob, request.user, pk=pk))
    return render(request, "people/import_job.html", {"job": job})


@login_required
@require_GET
def import_job_status(request, pk: int):
    """The job's progress as JSON, for the page's progress bar."""
    job = import_jobs.with_progress(visible_or_404(ImportJob, request.user, pk=pk))
    return JsonResponse(
        {
            "state": job.state,
            "state_label": job.get_state_display(),
            "stage": job.stage,
            "rows_done": job.rows_done,
            "rows_total": job.rows_total,
            "percent": job.percent,
            "finished": job.finished,
        }
    )


@login_required
def import_job_report(request, pk: int):
    job = visible_or_404(ImportJob, request.user, pk=pk)
    if not job.report:
        raise Http404
    try:
        handle = job.report.open("rb")
    except (FileNotFoundError, ValueError) as exc:
        raise Http404 from exc
    return FileResponse(
        handle,
        as_attachment=True,
        filename=_("import-report-%(pk)d.xlsx") % {"pk": job.pk},
        content_type=XLSX,
    )


@login_required
def import_template(request, fmt: str):
    _may_import(request)
    name = _("people-import-template")
    if fmt == "csv":
        response = HttpResponse(imports.template_csv(), content_type="text/csv; charset=utf-8")
        filename = f"{name}.csv"
    else:
        response = HttpResponse(imports.template_workbook(), content_type=XLSX)
        filename = f"{name}.xlsx"
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response
