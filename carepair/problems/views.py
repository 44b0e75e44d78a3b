"""Problem pages (问题闭环): list, export, detail with its timeline, raise, and the steps
from report to verified fix. Views parse, call a selector or a service, and render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from carepair.accounts.roles import Perm
from carepair.ledger import selectors as ledger_selectors
from carepair.ledger.forms import apply_errors
from carepair.ledger.views import paginate, refuse, serve_photo
from carepair.lib.errors import IllegalTransition, NotAllowed, ValidationError
from carepair.lib.excel import xlsx_response
from carepair.problems import selectors, services
from carepair.problems.forms import STEP_FORMS, ProblemFilterForm, ProblemForm


@login_required
def problem_list(request):
    form = ProblemFilterForm(request.GET, user=request.user)
    problems = selectors.problem_list(user=request.user, filters=form.filters())
    if request.GET.get("format") == "xlsx":
        if not request.user.can(Perm.EXPORT):
            return refuse(request, _("Your role may not export lists."))
        return xlsx_response(
            _("problems"),
            _("Problems"),
            [
                _("No."),
                _("Title"),
                _("Category"),
                _("Subcategory"),
                _("Severity"),
                _("Status"),
                _("County"),
                _("Institution or village"),
                _("Region code"),
                _("Raised by"),
                _("Raised on"),
                _("Due date"),
                _("Assigned to"),
                _("Overdue"),
                _("Escalation"),
                _("Verified on"),
            ],
            selectors.problem_rows(problems),
        )
    return render(
        request,
        "problems/problem_list.html",
        {
            "form": form,
            "page": paginate(request, problems),
            "can_raise": request.user.can(Perm.RAISE_PROBLEM),
            "can_export": request.user.can(Perm.EXPORT),
        },
    )


def _detail(request, problem, *, bound=None, refusal: str = "", status: int = 200):
    """The problem's page, with a form for exactly the steps this user may take now."""
    user = request.user
    bound = bound or {}
    steps = [
        (action, bound.get(action) or STEP_FORMS[action](prefix=action, user=user, problem=problem))
        for action in services.allowed_actions(user=user, problem=problem)
    ]
    events = list(problem.events.all())
    # Raised at a household visit: the person, for whoever may see them (people app).
    from carepair.people.models import Person

    visited = Person.objects.visible_to(user).filter(visits__raised__problem=problem).first()
    # Evidence attached to a step shows with that step; anything else shows on its own.
    loose = [e for e in problem.evidence.all() if e.event_id is None]
    return render(
        request,
        "problems/problem_detail.html",
        {
            "problem": problem,
            "events": events,
            "loose_evidence": loose,
            "steps": steps,
            "overdue": problem.is_overdue(),
            "refusal": refusal,
            "visited": visited,
        },
        status=status,
    )


@login_required
def problem_detail(request, pk: int):
    return _detail(request, selectors.problem_detail(user=request.user, pk=pk))


@login_required
def problem_create(request):
    user = request.user
    if not user.can(Perm.RAISE_PROBLEM):
        return refuse(request, _("Your role may not raise problems."))
    activity_pk = request.POST.get("activity") or request.GET.get("activity")
    activity = ledger_selectors.activity_detail(user=user, pk=activity_pk) if activity_pk else None
    if request.method == "POST":
        form = ProblemForm(request.POST, request.FILES, user=user, activity=activity)
        if form.is_valid():
            data = form.cleaned_data
            try:
                problem = services.problem_raise(
                    actor=user,
                    title=data["title"],
                    category=data["category"],
                    subcategory=data["subcategory"],
                    severity=data["severity"],
                    due_on=data["due_on"],
                    institution=data["institution"],
                    region=data.get("region"),
                    description=data["description"],
                    activity=activity,
                    photos=data["photos"],
                )
            except NotAllowed as exc:
                return refuse(request, str(exc))
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("The problem has been raised."))
                return redirect("problem_detail", pk=problem.pk)
    else:
        form = ProblemForm(user=user, activity=activity)
    return render(request, "problems/problem_form.html", {"form": form, "activity": activity})


def _call(action: str, *, actor, problem, data):
    if action == "assign":
        return services.problem_assign(
            actor=actor, problem=problem, helper=data["helper"], note=data["note"]
        )
    if action == "start":
        return services.problem_start(actor=actor, problem=problem, note=data["note"])
    if action == "resolve":
        return services.problem_resolve(
            actor=actor, problem=problem, resolution=data["resolution"], photos=data["photos"]
        )
    if action == "verify":
        return services.problem_verify(actor=actor, problem=problem, note=data["note"])
    return services.problem_reopen(actor=actor, problem=problem, reason=data["reason"])


@login_required
@require_POST
def problem_step(request, pk: int, action: str):
    """One step of the loop. An illegal step answers 409, a step this user may not take
    403, and neither changes anything."""
    if action not in STEP_FORMS:
        raise Http404
    user = request.user
    problem = selectors.problem_detail(user=user, pk=pk)
    try:
        services.step_check(user=user, problem=problem, action=action)
    except IllegalTransition as exc:
        return _detail(request, problem, refusal=" ".join(exc.messages), status=409)
    except NotAllowed as exc:
        return _detail(request, problem, refusal=str(exc), status=403)
    form = STEP_FORMS[action](
        request.POST, request.FILES, prefix=action, user=user, problem=problem
    )
    if form.is_valid():
        try:
            done = _call(action, actor=user, problem=problem, data=form.cleaned_data)
        except IllegalTransition as exc:
            # Someone else moved the problem on between the check and the step.
            return _detail(request, problem, refusal=" ".join(exc.messages), status=409)
        except NotAllowed as exc:
            return _detail(request, problem, refusal=str(exc), status=403)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request,
                _("Done: the problem is now “%(status)s”.") % {"status": done.get_status_display()},
            )
            return redirect("problem_detail", pk=problem.pk)
    return _detail(request, problem, bound={action: form})


@login_required
def problem_photo(request, pk: int):
    return serve_photo(selectors.evidence_for(user=request.user, pk=pk))
