"""People in need (困难群众): the registry, audited reveals of ID numbers, door-knocking
visits (敲门行动) and the list of visits due.

Identity numbers appear masked (`id_number_masked`) in every answer; only
`POST /people/{id}/reveal` returns a full number, and every reveal is audited. Health notes
and referrals are restricted fields: for a role without the permission the key is absent,
not null.
"""

import datetime
from typing import ClassVar

from django.db.models import Exists, OuterRef, Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status
from pydantic import SerializationInfo, SerializerFunctionWrapHandler, model_serializer

from carepair.accounts.models import User
from carepair.accounts.roles import PERMISSIONS, Perm
from carepair.api.common import Pagination, References, RegionCode, one_of, user_of
from carepair.api.errors import READ_ERRORS, WRITE_ERRORS, ErrorOut
from carepair.lib.errors import IllegalTransition, NotAllowed, ValidationError
from carepair.lib.scoping import visible_or_404
from carepair.people import selectors, services
from carepair.people.models import (
    Category,
    Condition,
    ContactKind,
    HomeComing,
    HouseholdVisit,
    Living,
    Person,
    PersonCategory,
    Referral,
    Risk,
    Schooling,
    Seen,
    Sex,
    VisitorKind,
)
from carepair.people.models import (
    Status as PersonStatus,
)
from carepair.problems.models import Category as ProblemCategory
from carepair.problems.models import Severity
from carepair.problems.services import Found
from carepair.regions.models import Region, in_region

router = Router(tags=["people"])

LIST_ERRORS = {**READ_ERRORS, 403: ErrorOut}


def _may(context, perm: str) -> bool:
    request = (context or {}).get("request")
    user = getattr(request, "auth", None)
    return user is not None and user.can(perm)


class Restricted(Schema):
    """A schema with fields that only some roles read. For the others the field is never
    loaded (its resolver answers None) and its key is left out of the answer; without a
    request to ask, every restricted key is left out."""

    RESTRICTED: ClassVar[dict[str, str]] = {}

    @model_serializer(mode="wrap")
    def _leave_out_restricted(
        self, handler: SerializerFunctionWrapHandler, info: SerializationInfo
    ):
        data = handler(self)
        for key, perm in self.RESTRICTED.items():
            if not _may(info.context, perm):
                data.pop(key, None)
        return data


# --- answers -----------------------------------------------------------------------------


class CategoryHeldOut(Schema):
    category: one_of(Category)
    start_on: datetime.date
    end_on: datetime.date | None
    source: str


class VisitPlanOut(Schema):
    every_days: int | None = Field(..., description="None: no visit rule applies.")
    last_visit_on: datetime.date | None
    next_visit_on: datetime.date | None
    overdue: bool


class HealthOut(Schema):
    conditions: str
    disability_type: str
    disability_grade: int | None
    self_care: str
    mental_health: str


class PersonOut(Restricted):
    RESTRICTED = {"health": Perm.VIEW_HEALTH}

    id: int
    name: str
    id_number_masked: str = Field(..., description="First 6 and last 4 characters shown.")
    sex: one_of(Sex)
    # No birth date: its eight digits are exactly what the mask hides (it comes with a
    # reveal).
    age: int
    region_code: str
    region_name: str
    living: one_of(Living)
    status: one_of(PersonStatus)
    categories: list[CategoryHeldOut] = Field(..., description="The categories held today.")
    visitor_id: int | None
    visitor_kind: one_of(VisitorKind) | None
    visit_plan: VisitPlanOut
    health: HealthOut | None = Field(
        None, description="Only for roles that may see health notes; absent for the others."
    )

    @staticmethod
    def resolve_id_number_masked(obj):
        return obj.id_masked

    @staticmethod
    def resolve_region_code(obj):
        return obj.region_id

    @staticmethod
    def resolve_region_name(obj):
        return obj.region.name

    @staticmethod
    def resolve_categories(obj):
        return obj.held_now

    @staticmethod
    def resolve_visitor_kind(obj):
        return obj.visitor_kind or None

    @staticmethod
    def resolve_visit_plan(obj):
        return {
            "every_days": obj.visit_every_days,
            "last_visit_on": obj.last_visit_on,
            "next_visit_on": obj.next_visit_on,
            "overdue": bool(obj.next_visit_on and obj.next_visit_on < timezone.localdate()),
        }

    @staticmethod
    def resolve_health(obj, context):
        if not _may(context, Perm.VIEW_HEALTH):
            return None
        return getattr(obj, "health", None)


class ContactOut(Restricted):
    RESTRICTED = {"health": Perm.VIEW_HEALTH}

    id: int
    kind: one_of(ContactKind)
    name: str
    relation: str
    phone: str
    age: int | None
    health: str | None = Field(
        None, description="Only for roles that may see health notes; absent for the others."
    )

    @staticmethod
    def resolve_health(obj, context):
        return obj.health if _may(context, Perm.VIEW_HEALTH) else None


class ChildArchiveOut(Schema):
    school: str
    grade: str
    class_teacher: str
    teacher_phone: str
    schooling: one_of(Schooling)
    father_work: str
    father_phone: str
    father_home: one_of(HomeComing) | None
    mother_work: str
    mother_phone: str
    mother_home: one_of(HomeComing) | None
    risk: one_of(Risk)
    risk_reasons: str
    updated_at: datetime.datetime

    @staticmethod
    def resolve_father_home(obj):
        return obj.father_home or None

    @staticmethod
    def resolve_mother_home(obj):
        return obj.mother_home or None


class ReferralOut(Schema):
    id: int
    point_id: int
    point_name: str
    referred_on: datetime.date
    reason: str
    outcome: str
    closed_on: datetime.date | None

    @staticmethod
    def resolve_point_name(obj):
        return obj.point.name


class PersonDetailOut(PersonOut):
    RESTRICTED = {"health": Perm.VIEW_HEALTH, "referrals": Perm.VIEW_REFERRALS}

    phone: str
    household_address: str
    address: str
    status_on: datetime.date | None
    status_note: str
    created_at: datetime.datetime
    contacts: list[ContactOut]
    archive: ChildArchiveOut | None = Field(
        ..., description="The child's file (一人一档); null for a person without one."
    )
    referrals: list[ReferralOut] | None = Field(
        None,
        description="Mental-health referrals; only for roles that may see them, "
        "absent for the others.",
    )

    @staticmethod
    def resolve_contacts(obj):
        return list(obj.contacts.all())

    @staticmethod
    def resolve_archive(obj):
        return getattr(obj, "archive", None)

    @staticmethod
    def resolve_referrals(obj, context):
        if not _may(context, Perm.VIEW_REFERRALS):
            return None
        return list(
            Referral.objects.visible_to(context["request"].auth)
            .filter(person=obj)
            .select_related("point")
        )


class RevealOut(Schema):
    id_number: str = Field(..., description="The full number (18 characters).")
    birth_date: datetime.date = Field(
        ..., description="Shown only here: with the masked number it would give the number."
    )
    audit_id: int = Field(..., description="The audit entry that records this reveal.")


class RaisedProblemOut(Schema):
    id: int
    title: str
    region_code: str
    due_on: datetime.date

    @staticmethod
    def resolve_region_code(obj):
        return obj.region_id


class VisitOut(Schema):
    id: int
    person_id: int
    visitor_id: int
    visitor_name: str
    visited_on: datetime.date
    region_code: str
    seen: one_of(Seen)
    health: one_of(Condition)
    safety: one_of(Condition)
    food: one_of(Condition)
    mood: one_of(Condition)
    needs: str
    notes: str
    recorded_at: datetime.datetime
    problems: list[RaisedProblemOut] = Field(
        ..., description="The problems raised from the needs seen at this visit."
    )

    @staticmethod
    def resolve_visitor_name(obj):
        return str(obj.visitor)

    @staticmethod
    def resolve_region_code(obj):
        return obj.region_id

    @staticmethod
    def resolve_problems(obj):
        return [raised.problem for raised in obj.raised.all()]


# --- requests ----------------------------------------------------------------------------


class PersonFilter(Schema):
    region: str | None = RegionCode
    category: one_of(Category) | None = Field(None, description="Held today.")
    status: one_of(PersonStatus) | None = None
    due: str | None = Field(
        None,
        pattern=r"^([0-9]{1,3}|overdue)$",
        description="A number of days: visits due within it, overdue ones included; "
        "or `overdue`: only visits past their date.",
    )
    q: str | None = Field(None, max_length=64, description="Part of the name.")


class LookupIn(Schema):
    id_number: str = Field(..., max_length=32, description="The exact ID number (18 or 15).")


class DueFilter(Schema):
    within: int = Field(7, ge=0, le=366, description="Days ahead; overdue visits included.")
    mine: bool = Field(False, description="Only the people you are the assigned visitor of.")


class CategoryIn(Schema):
    category: one_of(Category)
    start_on: datetime.date
    end_on: datetime.date | None = None
    source: str = Field("", max_length=64)


class HealthIn(Schema):
    conditions: str = Field("", max_length=200)
    disability_type: str = Field("", max_length=32)
    disability_grade: int | None = Field(None, ge=1, le=4)
    self_care: str = Field("", max_length=32)
    mental_health: str = Field("", max_length=200)


class PersonIn(Schema):
    """The ID number's birth date and sex are the truth: `sex` and `birth_date` may be left
    out, and if given they must agree with it."""

    name: str = Field(..., max_length=200)
    id_number: str = Field(..., max_length=32)
    region_code: str = Field(..., description="The village or community (12 digits).")
    sex: one_of(Sex) | None = None
    birth_date: datetime.date | None = None
    phone: str = Field("", max_length=32)
    household_address: str = Field("", max_length=200)
    address: str = Field("", max_length=200)
    living: one_of(Living) | None = None
    visitor_id: int | None = None
    visitor_kind: one_of(VisitorKind) | None = None
    categories: list[CategoryIn] = []
    health: HealthIn | None = Field(None, description="Only for roles that may see health notes.")


class RevealIn(Schema):
    reason: str = Field(..., max_length=200, description="Why you need the full number.")


class NeedIn(Schema):
    """A need seen at the door, raised as a problem in the person's village."""

    title: str = Field(..., min_length=1, max_length=200)
    category: one_of(ProblemCategory)
    due_on: datetime.date
    severity: one_of(Severity) = Severity.MEDIUM
    description: str = ""


class VisitIn(Schema):
    visited_on: datetime.date
    seen: one_of(Seen) = Seen.YES
    health: one_of(Condition)
    safety: one_of(Condition)
    food: one_of(Condition)
    mood: one_of(Condition)
    needs: str = ""
    notes: str = ""
    need: NeedIn | None = Field(None, description="Raise this need as a problem in one step.")


# --- reads -------------------------------------------------------------------------------


def with_details(queryset, user):
    """What a person's answer reads, in a fixed number of queries: the village, the
    categories held today and, for roles that may see them, the health notes. The
    encrypted number and its hash are not even loaded."""
    queryset = (
        queryset.defer("id_cipher", "id_hash")
        .select_related("region")
        .prefetch_related(
            Prefetch(
                "categories",
                queryset=PersonCategory.objects.current().order_by("start_on", "pk"),
                to_attr="held_now",
            )
        )
    )
    if user.can(Perm.VIEW_HEALTH):
        queryset = queryset.select_related("health")
    return queryset


def people(user):
    return with_details(Person.objects.visible_to(user), user)


def person_of(user, id: int) -> Person:
    return visible_or_404(
        people(user).select_related("archive").prefetch_related("contacts"), user, pk=id
    )


def _may_list(user) -> None:
    if not user.can(Perm.VIEW_PEOPLE):
        raise NotAllowed(_("Your role may not see the registry of people in need."))


@router.get(
    "/people",
    response={200: list[PersonOut], **LIST_ERRORS},
    summary="List people in need (困难群众)",
)
@paginate(Pagination)
def person_list(request, filters: Query[PersonFilter]):
    user = user_of(request)
    _may_list(user)
    queryset = in_region(people(user), filters.region)
    if filters.category:
        held = PersonCategory.objects.current().filter(
            person=OuterRef("pk"), category=filters.category
        )
        queryset = queryset.filter(Exists(held))
    if filters.status:
        queryset = queryset.filter(status=filters.status)
    if filters.due == "overdue":
        queryset = queryset.filter(
            status=PersonStatus.ACTIVE, next_visit_on__lt=timezone.localdate()
        )
    elif filters.due is not None:
        due = selectors.due_visits(user, within_days=int(filters.due))
        queryset = queryset.filter(pk__in=due.values("pk"))
    if filters.q:
        queryset = queryset.filter(name__icontains=filters.q.strip())
    return queryset


@router.post(
    "/people/lookup",
    response={200: list[PersonOut], **WRITE_ERRORS},
    summary="Find a person by the exact ID number",
)
def person_lookup(request, payload: LookupIn):
    """The person in reach with this number (a list of none or one). A POST, so that the
    number stays out of addresses, server logs and proxies; the answer shows it masked."""
    user = user_of(request)
    _may_list(user)
    found = services.find_by_id_number(user, payload.id_number)
    if found is None:
        # The message names no digit of what was sent.
        raise ValidationError({"id_number": _("Enter a valid ID number.")})
    return list(people(user).filter(pk__in=found.values("pk")))


@router.get(
    "/people/{int:id}",
    response={200: PersonDetailOut, **READ_ERRORS},
    summary="One person, with contacts and the child's file",
)
def person_detail(request, id: int):
    return person_of(user_of(request), id)


@router.get(
    "/visits/due",
    response={200: list[PersonOut], **LIST_ERRORS},
    summary="People due a visit (待走访), soonest first",
)
@paginate(Pagination)
def visits_due(request, filters: Query[DueFilter]):
    user = user_of(request)
    _may_list(user)
    due = selectors.due_visits(user, within_days=filters.within, mine=filters.mine)
    return with_details(due, user)


def visits(user):
    return (
        HouseholdVisit.objects.visible_to(user)
        .select_related("visitor")
        .prefetch_related("raised__problem")
        .order_by("-visited_on", "-pk")
    )


@router.get(
    "/people/{int:id}/visits",
    response={200: list[VisitOut], **READ_ERRORS},
    summary="A person's household visits, latest first",
)
@paginate(Pagination)
def person_visits(request, id: int):
    user = user_of(request)
    person = visible_or_404(Person, user, pk=id)
    return visits(user).filter(person=person)


# --- writes ------------------------------------------------------------------------------


def visitors(user):
    """Who may be named a person's visitor: an active account the caller may see whose
    role records household visits."""
    roles = [role for role, perms in PERMISSIONS.items() if Perm.VISIT_PEOPLE in perms]
    return User.objects.visible_to(user).filter(is_active=True, role__in=roles)


@router.post(
    "/people",
    response={201: PersonDetailOut, **WRITE_ERRORS},
    summary="Register a person in need (登记)",
)
def person_register(request, payload: PersonIn):
    user = user_of(request)
    if not user.can(Perm.MANAGE_PEOPLE):
        # Before the look-ups: a role that never registers anyone hears so, not that the
        # village is out of reach.
        raise NotAllowed(_("Your role may not change the registry of people in need."))
    if payload.health is not None and not user.can(Perm.VIEW_HEALTH):
        raise NotAllowed(_("Your role may not record health notes."))
    refs = References()
    region = refs.one(Region.objects.visible_to(user), payload.region_code, "region_code")
    visitor = refs.one(visitors(user), payload.visitor_id, "visitor_id")
    refs.check()
    person = services.person_register(
        actor=user,
        name=payload.name,
        id_number=payload.id_number,
        region=region,
        sex=payload.sex or "",
        birth_date=payload.birth_date,
        phone=payload.phone,
        household_address=payload.household_address,
        address=payload.address,
        living=payload.living or "",
        visitor=visitor,
        visitor_kind=payload.visitor_kind or "",
        categories=[
            services.CategoryLine(c.category, c.start_on, c.end_on, c.source)
            for c in payload.categories
        ],
        health=payload.health.model_dump() if payload.health else None,
    )
    return Status(201, person_of(user, person.pk))


@router.post(
    "/people/{int:id}/reveal",
    response={200: RevealOut, **WRITE_ERRORS},
    summary="Reveal the full ID number, with a reason (audited)",
)
def person_reveal(request, id: int, payload: RevealIn):
    """For roles that need the full number. Every reveal is kept: who, when, why and from
    which address."""
    user = user_of(request)
    person = visible_or_404(Person, user, pk=id)
    revealed = services.id_reveal_audited(
        actor=user,
        person=person,
        reason=payload.reason,
        address=request.META.get("REMOTE_ADDR") or None,
    )
    return {
        "id_number": revealed.number,
        "birth_date": person.birth_date,
        "audit_id": revealed.audit.pk,
    }


# A need's fields, as the problem service names them, and where they are in the request.
NEED_FIELDS = {
    "title": "need.title",
    "category": "need.category",
    "subcategory": "need.category",
    "severity": "need.severity",
    "due_on": "need.due_on",
    "description": "need.description",
    "institution": "need",
    "region": "need",
}


@router.post(
    "/people/{int:id}/visits",
    response={201: VisitOut, **WRITE_ERRORS},
    summary="Record a household visit (入户走访), raising a need as a problem",
)
def person_visit(request, id: int, payload: VisitIn):
    """With `need`, the need becomes a problem in the person's village in the same step:
    if it cannot be raised, the visit is not recorded either."""
    user = user_of(request)
    person = visible_or_404(Person, user, pk=id)
    need = None
    if payload.need is not None:
        need = Found(
            title=payload.need.title,
            category=payload.need.category,
            due_on=payload.need.due_on,
            severity=payload.need.severity,
            description=payload.need.description,
        )
    try:
        visit = services.visit_record(
            actor=user,
            person=person,
            visited_on=payload.visited_on,
            seen=payload.seen,
            health=payload.health,
            safety=payload.safety,
            food=payload.food,
            mood=payload.mood,
            needs=payload.needs,
            notes=payload.notes,
            need=need,
        )
    except ValidationError as exc:
        if isinstance(exc, IllegalTransition) or not hasattr(exc, "error_dict") or need is None:
            raise
        errors: dict[str, list[str]] = {}
        for key, messages in exc.message_dict.items():
            errors.setdefault(NEED_FIELDS.get(key, key), []).extend(messages)
        raise ValidationError(errors) from exc
    return Status(201, visits(user).get(pk=visit.pk))
