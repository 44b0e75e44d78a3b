"""Problems (问题), from report to verified fix. Every problem carries its region_code."""

import datetime

from django.db.models import Q
from django.urls import reverse
from ninja import Field, File, Form, Query, Router, Schema, responses
from ninja.files import UploadedFile
from ninja.pagination import paginate

from carepair.api.common import Pagination, References, RegionCode, one_of, user_of
from carepair.api.errors import READ_ERRORS, WRITE_ERRORS
from carepair.ledger.models import Activity
from carepair.lib.errors import ValidationError
from carepair.lib.scoping import visible_or_404
from carepair.lib.uploads import validate_photo
from carepair.orgs.models import Organisation
from carepair.pairing.models import Pairing
from carepair.problems import services
from carepair.problems.models import (
    Action,
    Category,
    EscalationLevel,
    Problem,
    Severity,
    Source,
    Status,
    Subcategory,
)
from carepair.regions.models import Region, in_region

router = Router(tags=["problems"])


class ProblemOut(Schema):
    id: int
    title: str
    description: str
    category: one_of(Category)
    subcategory: one_of(Subcategory) | None
    severity: one_of(Severity)
    status: one_of(Status)
    source: one_of(Source)
    due_on: datetime.date
    overdue: bool
    escalation_level: one_of(EscalationLevel)
    region_code: str
    region_name: str
    institution_id: int | None
    institution_name: str | None
    activity_id: int | None
    raised_by_id: int
    raised_by_org_id: int | None
    raised_at: datetime.datetime
    assigned_to_id: int | None
    assigned_to_name: str | None
    assigned_at: datetime.datetime | None
    resolved_at: datetime.datetime | None
    resolution: str
    verified_at: datetime.datetime | None
    allowed_actions: list[one_of(Action)] = Field(
        ..., description="The steps the caller may take now."
    )

    @staticmethod
    def resolve_subcategory(obj):
        return obj.subcategory or None

    @staticmethod
    def resolve_overdue(obj):
        return obj.is_overdue()

    @staticmethod
    def resolve_region_code(obj):
        return obj.region_id

    @staticmethod
    def resolve_region_name(obj):
        return obj.region.name

    @staticmethod
    def resolve_institution_name(obj):
        return obj.institution.name if obj.institution_id else None

    @staticmethod
    def resolve_assigned_to_name(obj):
        return obj.assigned_to.name if obj.assigned_to_id else None

    @staticmethod
    def resolve_allowed_actions(obj, context):
        return services.allowed_actions(user=user_of(context["request"]), problem=obj)


class EventOut(Schema):
    id: int
    action: one_of(Action)
    from_status: one_of(Status) | None
    to_status: one_of(Status)
    actor_id: int | None
    actor_name: str | None
    organisation_id: int | None
    organisation_name: str | None
    at: datetime.datetime
    note: str

    @staticmethod
    def resolve_from_status(obj):
        return obj.from_status or None

    @staticmethod
    def resolve_actor_name(obj):
        return str(obj.actor) if obj.actor_id else None

    @staticmethod
    def resolve_organisation_name(obj):
        return obj.organisation.name if obj.organisation_id else None


class EvidenceOut(Schema):
    id: int
    event_id: int | None
    url: str
    content_type: str
    size: int

    @staticmethod
    def resolve_url(obj):
        # The scoped page that serves the photo, never the media folder itself.
        return reverse("problem_photo", args=[obj.pk])


class ProblemDetailOut(ProblemOut):
    events: list[EventOut]
    evidence: list[EvidenceOut]

    @staticmethod
    def resolve_events(obj):
        return list(obj.events.all())

    @staticmethod
    def resolve_evidence(obj):
        return list(obj.evidence.all())


class ProblemFilter(Schema):
    status: one_of(Status) | None = None
    category: one_of(Category) | None = None
    region: str | None = RegionCode
    overdue: bool | None = None
    institution: int | None = None


class ProblemIn(Schema):
    """At an institution (`institution_id`) or in a village (`region_code`)."""

    title: str = Field(..., min_length=1, max_length=200)
    category: one_of(Category)
    subcategory: one_of(Subcategory) | None = None
    severity: one_of(Severity) = Severity.MEDIUM
    due_on: datetime.date
    institution_id: int | None = None
    region_code: str | None = None
    description: str = ""
    activity_id: int | None = Field(None, description="The visit on which it was found.")


class AssignIn(Schema):
    helper_id: int
    note: str = ""


class NoteIn(Schema):
    note: str = ""


class ReopenIn(Schema):
    reason: str


def problems(user):
    return (
        Problem.objects.visible_to(user)
        .select_related("region", "institution", "assigned_to")
        .order_by("-raised_at", "-pk")
    )


def problem_of(user, id: int) -> Problem:
    return visible_or_404(
        problems(user).prefetch_related("events__actor", "events__organisation", "evidence"),
        user,
        pk=id,
    )


@router.get("/problems", response=list[ProblemOut], summary="List problems")
@paginate(Pagination)
def problem_list(request, filters: Query[ProblemFilter]):
    queryset = in_region(problems(user_of(request)), filters.region)
    if filters.status:
        queryset = queryset.filter(status=filters.status)
    if filters.category:
        queryset = queryset.filter(category=filters.category)
    if filters.overdue is not None:
        overdue = Problem.objects.overdue().values("pk")
        queryset = (
            queryset.filter(pk__in=overdue) if filters.overdue else queryset.exclude(pk__in=overdue)
        )
    if filters.institution:
        queryset = queryset.filter(institution_id=filters.institution)
    return queryset


@router.get(
    "/problems/{int:id}",
    response={200: ProblemDetailOut, **READ_ERRORS},
    summary="One problem, with every step it took",
)
def problem_detail(request, id: int):
    return problem_of(user_of(request), id)


@router.post(
    "/problems", response={201: ProblemDetailOut, **WRITE_ERRORS}, summary="Raise a problem"
)
def problem_raise(request, payload: ProblemIn):
    user = user_of(request)
    refs = References()
    institution = refs.one(
        Organisation.objects.visible_to(user).institutions(),
        payload.institution_id,
        "institution_id",
    )
    region = refs.one(Region.objects.visible_to(user), payload.region_code, "region_code")
    activity = refs.one(Activity.objects.visible_to(user), payload.activity_id, "activity_id")
    refs.check()
    problem = services.problem_raise(
        actor=user,
        title=payload.title,
        category=payload.category,
        subcategory=payload.subcategory or "",
        severity=payload.severity,
        due_on=payload.due_on,
        description=payload.description,
        institution=institution,
        region=region,
        activity=activity,
    )
    return responses.Status(201, problem_of(user, problem.pk))


def _step(request, id: int, step, **kwargs):
    user = user_of(request)
    problem = visible_or_404(Problem, user, pk=id)
    step(actor=user, problem=problem, **kwargs)
    return problem_of(user, id)


@router.post(
    "/problems/{int:id}/assign",
    response={200: ProblemDetailOut, **WRITE_ERRORS},
    summary="Assign to a helper organisation (交办)",
)
def problem_assign(request, id: int, payload: AssignIn):
    """The helper is an organisation the caller may see, or one paired with the problem's
    institution (a county worker hands a home's problem to the city department paired
    with it)."""
    user = user_of(request)
    problem = visible_or_404(Problem, user, pk=id)
    paired = Pairing.objects.visible_to(user).active().filter(institution_id=problem.institution_id)
    helpers = Organisation.objects.filter(
        Q(pk__in=Organisation.objects.visible_to(user).values("pk"))
        | Q(pk__in=paired.filter(helper__isnull=False).values("helper_id"))
    )
    refs = References()
    helper = refs.one(helpers, payload.helper_id, "helper_id")
    refs.check()
    services.problem_assign(actor=user, problem=problem, helper=helper, note=payload.note)
    return problem_of(user, id)


@router.post(
    "/problems/{int:id}/start",
    response={200: ProblemDetailOut, **WRITE_ERRORS},
    summary="Start work on an assigned problem",
)
def problem_start(request, id: int, payload: NoteIn | None = None):
    return _step(request, id, services.problem_start, note=payload.note if payload else "")


@router.post(
    "/problems/{int:id}/resolve",
    response={200: ProblemDetailOut, **WRITE_ERRORS},
    summary="Report the fix, with photos (multipart/form-data)",
)
def problem_resolve(
    request,
    id: int,
    resolution: Form[str] = "",
    photos: File[list[UploadedFile]] = None,
):
    photos = photos or []
    for upload in photos:
        try:
            validate_photo(upload)
        except ValidationError as exc:
            raise ValidationError({"photos": exc.messages}) from exc
    return _step(request, id, services.problem_resolve, resolution=resolution, photos=photos)


@router.post(
    "/problems/{int:id}/verify",
    response={200: ProblemDetailOut, **WRITE_ERRORS},
    summary="Confirm the fix (确认销号), by whoever raised the problem",
)
def problem_verify(request, id: int, payload: NoteIn | None = None):
    return _step(request, id, services.problem_verify, note=payload.note if payload else "")


@router.post(
    "/problems/{int:id}/reopen",
    response={200: ProblemDetailOut, **WRITE_ERRORS},
    summary="Send the fix back (退回重办)",
)
def problem_reopen(request, id: int, payload: ReopenIn):
    return _step(request, id, services.problem_reopen, reason=payload.reason)
