"""The problem loop (问题闭环): raise, assign, start, resolve, verify, reopen, escalate.

Every step is a service function: keyword-only, atomic, refusing an illegal transition,
and writing its own ProblemEvent (who, when, from, to, why).
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from carepair.accounts.roles import Perm, Role
from carepair.lib.errors import IllegalTransition, NotAllowed, ValidationError
from carepair.lib.freshness import changes_records
from carepair.lib.uploads import validate_photo
from carepair.orgs.models import HELPER_KINDS, Kind, Organisation
from carepair.problems.models import (
    SUBCATEGORIES,
    Action,
    EscalationLevel,
    Evidence,
    Problem,
    ProblemEvent,
    Source,
    Status,
)
from carepair.regions.models import Level, Region
from carepair.reports import rollup

# action -> (statuses it may start from, status it leads to)
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    Action.ASSIGN: (frozenset({Status.RAISED, Status.ASSIGNED, Status.REOPENED}), Status.ASSIGNED),
    Action.START: (frozenset({Status.ASSIGNED, Status.REOPENED}), Status.IN_PROGRESS),
    Action.RESOLVE: (frozenset({Status.IN_PROGRESS}), Status.RESOLVED),
    Action.VERIFY: (frozenset({Status.RESOLVED}), Status.VERIFIED),
    Action.REOPEN: (frozenset({Status.RESOLVED}), Status.REOPENED),
}


def allowed_actions(*, user, problem: Problem) -> list[str]:
    """The steps this user may take on this problem now (for buttons and the API)."""
    return [a for a in TRANSITIONS if _may(user, problem, a) and _legal(problem, a)]


def _legal(problem: Problem, action: str) -> bool:
    return problem.status in TRANSITIONS[action][0]


def _may(user, problem: Problem, action: str) -> bool:
    if action == Action.ASSIGN:
        return user.can(Perm.ASSIGN_PROBLEM)
    if action in (Action.START, Action.RESOLVE):
        return (
            user.can(Perm.WORK_PROBLEM)
            and problem.assigned_to_id is not None
            and user.organisation_id == problem.assigned_to_id
        )
    if action in (Action.VERIFY, Action.REOPEN):
        # Whoever raised it confirms the fix; a colleague of the same organisation may
        # stand in when that person has left. The institution where the problem lies
        # confirms too: a liaison raises the leaking roof found on a visit, and the home
        # that lives under it says whether it is fixed (DESIGN.md §2, journey 1).
        return (
            user.pk == problem.raised_by_id
            or (
                problem.raised_by_org_id is not None
                and user.organisation_id == problem.raised_by_org_id
            )
            or (
                user.role == Role.INSTITUTION_STAFF
                and problem.institution_id is not None
                and user.organisation_id == problem.institution_id
            )
        )
    return False


def step_check(*, user, problem: Problem, action: str) -> None:
    """Raise what taking `action` now would raise — IllegalTransition, then NotAllowed —
    and change nothing, so a page can refuse a step before it reads the step's form."""
    if not _legal(problem, action):
        raise IllegalTransition(
            _("A problem that is “%(status)s” cannot be %(action)s.")
            % {"status": problem.get_status_display(), "action": Action(action).label.lower()},
            code="illegal_transition",
        )
    if not _may(user, problem, action):
        raise NotAllowed(_("You may not take this step on this problem."))


def _step(*, actor, problem: Problem, action: str, note: str = "", organisation=None):
    step_check(user=actor, problem=problem, action=action)
    before = problem.status
    problem.status = TRANSITIONS[action][1]
    return ProblemEvent(
        problem=problem,
        action=action,
        from_status=before,
        to_status=problem.status,
        actor=actor,
        organisation=organisation or actor.organisation,
        note=note,
    )


def _save(problem: Problem, event: ProblemEvent, fields: list[str]) -> ProblemEvent:
    problem.save(update_fields=["status", *fields])
    event.save()
    return event


def _check_photos(photos) -> list[tuple]:
    """Check every photo before anything is written: a bad file leaves nothing behind."""
    checked, messages = [], []
    for upload in photos or ():
        try:
            checked.append((upload, validate_photo(upload)))
        except ValidationError as exc:
            messages.extend(exc.messages)
    if messages:
        raise ValidationError({"photos": messages})
    return checked


def _attach(*, actor, problem: Problem, event: ProblemEvent | None, checked) -> None:
    for upload, content_type in checked:
        Evidence.objects.create(
            problem=problem,
            event=event,
            image=upload,
            content_type=content_type,
            size=upload.size,
            uploaded_by=actor,
        )


def _source_for(actor, activity) -> str:
    if activity is not None:
        return Source.VISIT
    return {
        Role.INSTITUTION_STAFF: Source.INSTITUTION,
        Role.TOWNSHIP_WORKER: Source.TOWNSHIP,
        Role.LIAISON: Source.VISIT,
    }.get(actor.role, Source.ADMINISTRATION)


def validate_category(category: str, subcategory: str) -> None:
    if subcategory and subcategory not in SUBCATEGORIES.get(category, ()):
        raise ValidationError(
            {"subcategory": _("This subcategory does not belong to the chosen category.")}
        )


@dataclass
class Found:
    """Something found on the ground (a need at a door, a complaint at a shared meal) to
    be raised as a problem in the same step as the record it was found in."""

    title: str
    category: str
    due_on: datetime.date
    severity: int = 2
    description: str = ""
    subcategory: str = ""


@changes_records
@transaction.atomic
def problem_raise(
    *,
    actor,
    title: str,
    category: str,
    due_on: datetime.date,
    institution: Organisation | None = None,
    region=None,
    subcategory: str = "",
    severity: int = 2,
    description: str = "",
    activity=None,
    photos=(),
    source: str | None = None,
) -> Problem:
    """Raise a problem at an institution or in a village (region); `source` says where it
    was found when the role does not (a household visit)."""
    if not actor.can(Perm.RAISE_PROBLEM):
        raise NotAllowed(_("Your role may not raise problems."))
    if institution is None and region is None:
        raise ValidationError({"institution": _("Choose the institution or the village.")})
    if institution is not None and institution.kind != Kind.INSTITUTION:
        raise ValidationError({"institution": _("This organisation is not a care institution.")})
    if institution is None and region.level != Level.VILLAGE:
        raise ValidationError({"region": _("A problem outside an institution lies in a village.")})
    if actor.role == Role.INSTITUTION_STAFF and (
        institution is None or institution.pk != actor.organisation_id
    ):
        raise NotAllowed(_("Institution staff raise problems of their own institution."))
    place_visible = (
        Organisation.objects.visible_to(actor).filter(pk=institution.pk)
        if institution is not None
        else Region.objects.visible_to(actor).filter(pk=region.pk)
    )
    if not place_visible.exists():
        raise ValidationError({"institution": _("That place lies outside your area of work.")})
    validate_category(category, subcategory)
    if due_on < timezone.localdate():
        raise ValidationError({"due_on": _("The due date cannot be in the past.")})
    checked = _check_photos(photos)
    problem = Problem(
        title=title,
        description=description,
        category=category,
        subcategory=subcategory,
        severity=severity,
        due_on=due_on,
        source=source or _source_for(actor, activity),
        institution=institution,
        region=institution.region if institution is not None else region,
        activity=activity,
        raised_by=actor,
        raised_by_org=actor.organisation,
    )
    problem.full_clean()
    problem.save()
    event = ProblemEvent.objects.create(
        problem=problem,
        action=Action.RAISE,
        to_status=Status.RAISED,
        actor=actor,
        organisation=actor.organisation,
        note=description,
        at=problem.raised_at,
    )
    _attach(actor=actor, problem=problem, event=event, checked=checked)
    _check_still_visible(actor, problem)
    rollup.refresh_problems(rollup.problem_cells(problem))
    return problem


@changes_records
@transaction.atomic
def problem_assign(*, actor, problem: Problem, helper: Organisation, note: str = "") -> Problem:
    """Hand the problem to a helper organisation (交办). A liaison may only take it up for
    their own department."""
    problem = _lock(problem)
    step_check(user=actor, problem=problem, action=Action.ASSIGN)
    if helper.kind not in HELPER_KINDS and helper.kind != Kind.INSTITUTION:
        raise ValidationError({"helper": _("Problems are assigned to a helper organisation.")})
    if actor.role in (Role.LIAISON, Role.TOWNSHIP_WORKER):
        if helper.pk != actor.organisation_id:
            raise NotAllowed(_("You can only take a problem up for your own organisation."))
        if problem.assigned_to_id not in (None, actor.organisation_id):
            # Handing a problem from one helper to another is the administrators' call.
            raise NotAllowed(_("This problem is already with another organisation."))
    elif not Organisation.objects.visible_to(actor).filter(pk=helper.pk).exists():
        raise ValidationError({"helper": _("That organisation lies outside your area of work.")})
    event = _step(actor=actor, problem=problem, action=Action.ASSIGN, note=note)
    problem.assigned_to = helper
    problem.assigned_at = event.at
    event.organisation = helper
    return _finish(actor, problem, event, ["assigned_to", "assigned_at"])


@changes_records
@transaction.atomic
def problem_start(*, actor, problem: Problem, note: str = "") -> Problem:
    problem = _lock(problem)
    event = _step(actor=actor, problem=problem, action=Action.START, note=note)
    return _finish(actor, problem, event, [])


@changes_records
@transaction.atomic
def problem_resolve(*, actor, problem: Problem, resolution: str, photos=()) -> Problem:
    """Report the fix with evidence: a description and at least one photo (整改完成)."""
    problem = _lock(problem)
    step_check(user=actor, problem=problem, action=Action.RESOLVE)
    if not resolution.strip():
        raise ValidationError({"resolution": _("Say what was done.")})
    if not photos:
        raise ValidationError({"photos": _("Add at least one photo of the fix.")})
    checked = _check_photos(photos)
    event = _step(actor=actor, problem=problem, action=Action.RESOLVE, note=resolution)
    problem.resolution = resolution
    problem.resolved_at = event.at
    _finish(actor, problem, event, ["resolution", "resolved_at"])
    _attach(actor=actor, problem=problem, event=event, checked=checked)
    return problem


@changes_records
@transaction.atomic
def problem_verify(*, actor, problem: Problem, note: str = "") -> Problem:
    """Whoever raised the problem confirms it is fixed (确认销号)."""
    problem = _lock(problem)
    event = _step(actor=actor, problem=problem, action=Action.VERIFY, note=note)
    problem.verified_at = event.at
    _finish(actor, problem, event, ["verified_at"])
    rollup.refresh_problems(rollup.problem_cells(problem))
    return problem


@changes_records
@transaction.atomic
def problem_reopen(*, actor, problem: Problem, reason: str) -> Problem:
    """Send the fix back (退回重办): the problem returns to its helper."""
    problem = _lock(problem)
    step_check(user=actor, problem=problem, action=Action.REOPEN)
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the fix is not accepted.")})
    event = _step(actor=actor, problem=problem, action=Action.REOPEN, note=reason)
    problem.resolved_at = None
    return _finish(actor, problem, event, ["resolved_at"])


def _lock(problem: Problem) -> Problem:
    # Two people pressing a button at once must not both pass the status check.
    return Problem.objects.select_for_update().get(pk=problem.pk)


def _finish(actor, problem: Problem, event: ProblemEvent, fields: list[str]) -> Problem:
    problem._history_user = actor
    _save(problem, event, fields)
    _check_still_visible(actor, problem)
    return problem


def _check_still_visible(actor, problem: Problem) -> None:
    if not Problem.objects.visible_to(actor).filter(pk=problem.pk).exists():
        raise NotAllowed(_("That would put the problem outside what you may see."))


def escalation_due(problem: Problem, today: datetime.date) -> int:
    """The level an overdue problem should be at: one level up as soon as it is overdue,
    another after CAREPAIR_ESCALATE_AFTER_DAYS more days."""
    if not problem.is_overdue(today):
        return problem.escalation_level
    days_late = (today - problem.due_on).days
    level = EscalationLevel.COUNTY
    if days_late > settings.CAREPAIR_ESCALATE_AFTER_DAYS:
        level = EscalationLevel.CITY
    return max(level, problem.escalation_level)


@changes_records
@transaction.atomic
def problems_escalate_overdue(*, today: datetime.date | None = None) -> int:
    """Raise every overdue problem to the level above (逐级督办). Returns how many moved."""
    today = today or timezone.localdate()
    moved = 0
    now = timezone.now()
    candidates = (
        Problem.objects.overdue(today)
        .filter(escalation_level__lt=EscalationLevel.CITY)
        .select_for_update()
    )
    for problem in candidates:
        level = escalation_due(problem, today)
        if level == problem.escalation_level:
            continue
        problem.escalation_level = level
        problem.escalated_at = now
        problem.save(update_fields=["escalation_level", "escalated_at"])
        ProblemEvent.objects.create(
            problem=problem,
            action=Action.ESCALATE,
            from_status=problem.status,
            to_status=problem.status,
            at=now,
            note=EscalationLevel(level).label,
        )
        moved += 1
    return moved
