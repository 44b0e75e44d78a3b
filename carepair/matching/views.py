"""Big data comparison pages (大数据比对): a data officer uploads lists, maps their
columns and runs a scenario; a township worker checks the findings sent to the township
and settles each. Every record is reached through its model's `visible_to(user)`."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from carepair.accounts.roles import Perm
from carepair.lib.errors import NotAllowed, ValidationError
from carepair.lib.pages import errors_to_form, paginate
from carepair.lib.scoping import visible_or_404
from carepair.matching import services
from carepair.matching.engine import scenarios
from carepair.matching.models import Action, DataList, Finding, ListKind, Run, Scenario
from carepair.regions.models import Level, in_region


def _may(request, perm: str) -> None:
    if not request.user.can(perm):
        raise NotAllowed


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("File (.xlsx, .csv or .parquet)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv,.parquet"}),
    )
    kind = forms.ChoiceField(label=gettext_lazy("Kind of list"), choices=ListKind.choices)
    name = forms.CharField(label=gettext_lazy("Name"), max_length=128, required=False)
    department = forms.CharField(
        label=gettext_lazy("From department"), max_length=128, required=False
    )
    as_of = forms.DateField(
        label=gettext_lazy("As of"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class RunForm(forms.Form):
    scenario = forms.ChoiceField(label=gettext_lazy("Scenario"), choices=Scenario.choices)
    lists = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Lists"),
        queryset=DataList.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lists"].queryset = DataList.objects.visible_to(user).filter(ready=True)


@login_required
def index(request):
    _may(request, Perm.RUN_COMPARISON)
    upload = UploadForm()
    start = RunForm(user=request.user)
    if request.method == "POST":
        upload = UploadForm(request.POST, request.FILES)
        if upload.is_valid():
            try:
                data_list = services.list_upload(
                    actor=request.user,
                    upload=upload.cleaned_data["file"],
                    name=upload.cleaned_data["name"],
                    kind=upload.cleaned_data["kind"],
                    department=upload.cleaned_data["department"],
                    as_of=upload.cleaned_data["as_of"],
                )
            except ValidationError as exc:
                errors_to_form(upload, exc)
            else:
                return redirect("matching:columns", pk=data_list.pk)
    lists = DataList.objects.visible_to(request.user).select_related("uploaded_by")[:30]
    runs = Run.objects.visible_to(request.user).select_related("started_by")[:20]
    return render(
        request,
        "matching/index.html",
        {"upload": upload, "start": start, "lists": lists, "runs": runs, "scenarios": _needs()},
    )


def _needs() -> list[tuple[str, str]]:
    """Each scenario with the kinds of list it takes, for the page."""
    out = []
    for key, label in Scenario.choices:
        chosen = scenarios.SCENARIOS[key]
        kinds = [str(ListKind(scenarios.ROLE_KIND.get(k, k)).label) for k in chosen.needs]
        if chosen.either:
            kinds.append(" / ".join(str(ListKind(k).label) for k in chosen.either))
        out.append((label, kinds, chosen.registry))
    return out


@login_required
def columns(request, pk: int):
    """Map a draft list's columns to ours, the guesses filled in."""
    _may(request, Perm.RUN_COMPARISON)
    data_list = visible_or_404(DataList, request.user, pk=pk)
    if data_list.ready:
        return redirect("matching:index")
    headers = data_list.columns.get("headers", [])
    ours = services.columns_for(data_list.kind)
    mapped = data_list.columns.get("mapped", {})
    errors = []
    if request.method == "POST":
        mapping = {c: request.POST.get(c, "") for c in ours}
        try:
            services.list_map(actor=request.user, data_list=data_list, mapping=mapping)
        except ValidationError as exc:
            errors = exc.messages
            mapped = {c: h for c, h in mapping.items() if h}
        else:
            return redirect("matching:index")
    return render(
        request,
        "matching/columns.html",
        {
            "list": data_list,
            "headers": headers,
            "rows": [(c, services.COLUMN_LABELS.get(c, c), mapped.get(c, "")) for c in ours],
            "errors": errors,
        },
    )


@login_required
@require_POST
def run_start(request):
    _may(request, Perm.RUN_COMPARISON)
    form = RunForm(request.POST, user=request.user)
    if form.is_valid():
        try:
            run = services.run_start(
                actor=request.user,
                scenario=form.cleaned_data["scenario"],
                lists=list(form.cleaned_data["lists"]),
            )
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            return redirect("matching:run", pk=run.pk)
    lists = DataList.objects.visible_to(request.user).select_related("uploaded_by")[:30]
    runs = Run.objects.visible_to(request.user).select_related("started_by")[:20]
    return render(
        request,
        "matching/index.html",
        {
            "upload": UploadForm(),
            "start": form,
            "lists": lists,
            "runs": runs,
            "scenarios": _needs(),
        },
        status=400,
    )


@login_required
def run_detail(request, pk: int):
    """A run: what it compared, what it found, and the townships its findings went to."""
    _may(request, Perm.RUN_COMPARISON)
    run = visible_or_404(Run, request.user, pk=pk)
    townships: dict[str, dict] = {}
    for f in run.found.select_related("region__parent__parent"):
        township = f.region.parent if f.region.level == Level.VILLAGE else f.region
        row = townships.setdefault(
            township.code,
            {"township": township, "open": 0, "confirmed": 0, "dismissed": 0, "villages": set()},
        )
        row[f.status] += 1
        row["villages"].add(f.region.name)
    rows = sorted(townships.values(), key=lambda r: r["township"].code)
    for row in rows:
        row["villages"] = "、".join(sorted(row["villages"]))
    return render(
        request,
        "matching/run.html",
        {"run": run, "lists": run.lists.all(), "townships": rows},
    )


@login_required
@require_GET
def run_status(request, pk: int):
    _may(request, Perm.RUN_COMPARISON)
    run = visible_or_404(Run, request.user, pk=pk)
    return JsonResponse(
        {
            "state": run.state,
            "state_label": run.get_state_display(),
            "finished": run.finished,
            "findings": run.findings,
            "counts": run.counts,
            **run.progress(),
        }
    )


@login_required
def finding_list(request):
    _may(request, Perm.CHECK_FINDINGS)
    status = request.GET.get("status", Finding.Status.OPEN)
    findings = Finding.objects.visible_to(request.user).select_related("region__parent", "run")
    if status in Finding.Status.values:
        findings = findings.filter(status=status)
    scenario = request.GET.get("scenario", "")
    if scenario in Scenario.values:
        findings = findings.filter(scenario=scenario)
    run = request.GET.get("run", "")
    if run.isdigit():
        findings = findings.filter(run_id=int(run))
    region = request.GET.get("region", "")
    if region.isdigit():
        findings = in_region(findings, region)
    return render(
        request,
        "matching/findings.html",
        {
            "page": paginate(request, findings.order_by("region_id", "pk")),
            "status": status,
            "statuses": Finding.Status.choices,
            "scenario": scenario,
            "scenarios": Scenario.choices,
            "run": run,
            "region": region,
        },
    )


class SettleForm(forms.Form):
    status = forms.ChoiceField(
        label=gettext_lazy("What the check found"),
        choices=[
            (Finding.Status.CONFIRMED, gettext_lazy("Confirmed")),
            (Finding.Status.DISMISSED, gettext_lazy("Dismissed")),
        ],
        widget=forms.RadioSelect,
    )
    action = forms.ChoiceField(
        label=gettext_lazy("What was done (when confirmed)"),
        choices=[("", "—"), *Action.choices],
        required=False,
    )
    visit_on = forms.DateField(
        label=gettext_lazy("Visit on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    note = forms.CharField(
        label=gettext_lazy("Note (the reason, when dismissed)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


@login_required
def finding_detail(request, pk: int):
    _may(request, Perm.CHECK_FINDINGS)
    finding = visible_or_404(
        Finding.objects.select_related("region", "run", "source", "person"), request.user, pk=pk
    )
    form = SettleForm()
    if request.method == "POST":
        form = SettleForm(request.POST)
        if form.is_valid():
            try:
                services.finding_settle(actor=request.user, finding=finding, **form.cleaned_data)
            except ValidationError as exc:
                errors_to_form(form, exc)
            else:
                messages.success(request, _("Saved: the finding is settled."))
                return redirect("matching:finding", pk=finding.pk)
    return render(request, "matching/finding.html", {"finding": finding, "form": form})


@login_required
@require_POST
def list_delete(request, pk: int):
    """Drop a list that was uploaded but never mapped (nothing was kept of it)."""
    _may(request, Perm.RUN_COMPARISON)
    data_list = visible_or_404(DataList.objects.filter(ready=False), request.user, pk=pk)
    services.list_discard(actor=request.user, data_list=data_list)
    return redirect("matching:index")
