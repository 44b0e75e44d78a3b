"""Reads of the problem loop (问题查询): every one starts from `visible_to(user)`."""

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from carepair.accounts.roles import Role
from carepair.ledger.selectors import county_name_of
from carepair.lib.scoping import visible_or_404
from carepair.orgs.models import Organisation
from carepair.problems.models import EscalationLevel, Evidence, Problem, ProblemEvent
from carepair.regions.models import Level, Region


def problem_list(*, user, filters: dict | None = None):
    """The problems a user can see, narrowed by the list page's filters, with place and
    organisations fetched in one query."""
    filters = filters or {}
    qs = Problem.objects.visible_to(user)
    for name in ("status", "category", "severity", "institution"):
        if filters.get(name):
            qs = qs.filter(**{name: filters[name]})
    if filters.get("county"):
        qs = qs.filter(region__code__prefix=filters["county"].prefix)
    if filters.get("overdue"):
        qs = qs.overdue()
    if filters.get("escalated"):
        qs = qs.filter(escalation_level__gt=EscalationLevel.LOCAL)
    mine = filters.get("mine")
    if mine == "raised":
        qs = qs.filter(raised_by=user)
    elif mine == "assigned":
        qs = qs.filter(assigned_to_id=user.organisation_id) if user.organisation_id else qs.none()
    return (
        qs.select_related("institution", "region", "assigned_to", "raised_by", "raised_by_org")
        .annotate(county_name=county_name_of())
        .order_by("-raised_at", "-pk")
    )


def problem_detail(*, user, pk) -> Problem:
    """One problem with its timeline and photos, or 404 (missing or out of scope)."""
    events = ProblemEvent.objects.select_related("actor", "organisation").prefetch_related(
        "evidence"
    )
    queryset = (
        Problem.objects.select_related(
            "institution", "region", "activity", "assigned_to", "raised_by", "raised_by_org"
        )
        .prefetch_related(Prefetch("events", queryset=events), "evidence")
        .annotate(county_name=county_name_of())
    )
    return visible_or_404(queryset, user, pk=pk)


def evidence_for(*, user, pk) -> Evidence:
    return visible_or_404(Evidence.objects.all(), user, pk=pk)


def villages_for(user):
    """Villages and communities the user can see: where a problem outside an institution
    lies."""
    return (
        Region.objects.visible_to(user)
        .filter(level=Level.VILLAGE)
        .select_related("parent__parent")
        .order_by("code")
    )


def assignees_for(*, user, problem: Problem):
    """Who the problem can be handed to: a liaison or township worker takes it up for
    their own organisation; an administrator chooses among the helper organisations in
    reach, or the institution itself."""
    if user.role in (Role.LIAISON, Role.TOWNSHIP_WORKER):
        return Organisation.objects.filter(pk=user.organisation_id)
    helpers = Organisation.objects.visible_to(user).helpers().filter(is_active=True)
    if problem.institution_id:
        helpers = helpers | Organisation.objects.filter(pk=problem.institution_id)
    return helpers.order_by("kind", "name")


def problem_rows(problems):
    """Rows of the Excel export."""
    today = timezone.localdate()
    for p in problems.iterator(chunk_size=500):
        yield [
            p.pk,
            p.title,
            p.get_category_display(),
            p.get_subcategory_display() if p.subcategory else "",
            p.get_severity_display(),
            p.get_status_display(),
            p.county_name or "",
            str(p.institution or p.region),
            p.region_id,
            p.raised_by_org.name if p.raised_by_org else str(p.raised_by),
            p.raised_at,
            p.due_on,
            p.assigned_to.name if p.assigned_to else "",
            _("Yes") if p.is_overdue(today) else "",
            p.get_escalation_level_display(),
            p.verified_at,
        ]
