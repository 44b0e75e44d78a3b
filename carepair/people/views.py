"""The registry's pages (困难群众台账): the list and its export, a person's page (numbers
masked; a reveal needs a reason and is audited; health and referrals only for the roles
that need them), registration, the door-knocking visit form for a phone, what is due,
and alerts. Views parse, call a selector or a service, and render."""

import datetime
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from carepair.accounts.roles import Perm
from carepair.accounts.scope import scope_of
from carepair.ledger.forms import apply_errors
from carepair.ledger.views import paginate, refuse, serve_photo
from carepair.lib.errors import NotAllowed, ValidationError
from carepair.lib.excel import xlsx_response
from carepair.meals.selectors import meal_panel
from carepair.people import selectors, services
from carepair.people.forms import (
    ArchiveForm,
    CategoryForm,
    ContactForm,
    HealthForm,
    PersonEditForm,
    PersonFilterForm,
    PersonForm,
    ReferralForm,
    RevealForm,
    StatusForm,
    VisitForm,
)
from carepair.people.models import (
    ChildArchive,
    Contact,
    HouseholdVisit,
    PersonCategory,
    PersonHealth,
    Referral,
    Status,
    VisitPhoto,
)
from carepair.problems.services import Found
from carepair.regions.models import Region


def _needs(request, perm: str):
    """People pages are for roles with the registry; others are told so (403)."""
    if not request.user.can(perm):
        raise NotAllowed(_("Your role has no access to this part of the registry."))


def _refused(view):
    """Turn NotAllowed from a check or a service into the refusal page (403)."""

    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except NotAllowed as exc:
            return refuse(request, str(exc) or _("You may not do this."))

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return wrapper


@login_required
@_refused
def person_list(request):
    _needs(request, Perm.VIEW_PEOPLE)
    query = request.GET.copy()
    query.setdefault("status", Status.ACTIVE)  # the registry as it stands, unless asked
    form = PersonFilterForm(query, user=request.user)
    people = selectors.person_list(request.user, form.filters())
    if request.GET.get("format") == "xlsx":
        _needs(request, Perm.EXPORT)
        if not scope_of(request.user).owns_a_region:
            # A volunteer sees a few people to visit, not a list to take away.
            raise NotAllowed(_("Lists of people are exported by the township and above."))
        return xlsx_response(
            _("people"),
            _("People in need"),
            [
                pgettext("person", "Name"),
                _("ID number (masked)"),
                _("Sex"),
                _("Age"),
                _("Village or community"),
                _("Township"),
                _("Region code"),
                _("Living arrangement"),
                _("Status"),
                _("Categories"),
                _("Phone"),
                _("Visit every (days)"),
                _("Last visit"),
                _("Next visit due"),
            ],
            selectors.person_rows(people),
        )
    return render(
        request,
        "people/person_list.html",
        {
            "form": form,
            "page": paginate(request, people),
            "today": timezone.localdate(),
            "can_register": request.user.can(Perm.MANAGE_PEOPLE),
            "can_export": request.user.can(Perm.EXPORT),
        },
    )


@login_required
@require_POST
@_refused
def person_find(request):
    """The search box: an ID number is looked up here, from a POST, so that it stays out
    of addresses, browser history and server logs; a name goes on to the list."""
    _needs(request, Perm.VIEW_PEOPLE)
    q = (request.POST.get("q") or "").strip()
    found = services.find_by_id_number(request.user, q)
    if found is None:
        return redirect(f"{reverse('people:list')}?{urlencode({'q': q})}" if q else "people:list")
    people = selectors.person_list(request.user, {}).filter(pk__in=found.values("pk"))
    if len(people) == 1:
        return redirect("people:detail", pk=people[0].pk)
    return render(
        request,
        "people/person_list.html",
        {
            "form": PersonFilterForm(user=request.user),
            "page": paginate(request, people),
            "today": timezone.localdate(),
            "by_number": True,
            "can_register": request.user.can(Perm.MANAGE_PEOPLE),
        },
    )


def _person_page(request, person, *, revealed: str = "", forms: dict | None = None, status=200):
    user = request.user
    forms = forms or {}
    today = timezone.localdate()
    health = None
    if user.can(Perm.VIEW_HEALTH):
        health = PersonHealth.objects.filter(person=person).first()
    archive = ChildArchive.objects.filter(person=person).first()
    referrals = Referral.objects.visible_to(user).filter(person=person).select_related("point")
    can_manage = user.can(Perm.MANAGE_PEOPLE)
    return render(
        request,
        "people/person_detail.html",
        {
            "person": person,
            "today": today,
            "categories": person.categories.order_by("-start_on"),
            "contacts": person.contacts.all(),
            "health": health,
            "show_health": user.can(Perm.VIEW_HEALTH),
            "archive": archive,
            "is_child": person.is_child,
            "referrals": list(referrals) if user.can(Perm.VIEW_REFERRALS) else None,
            "visits": HouseholdVisit.objects.filter(person=person)
            .select_related("visitor")
            .prefetch_related("raised__problem")[:20],
            "revealed": revealed,
            "can_reveal": user.can(Perm.REVEAL_ID),
            "can_manage": can_manage,
            "can_visit": user.can(Perm.VISIT_PEOPLE),
            "can_archive": can_manage or user.can(Perm.VIEW_REFERRALS),
            "reveal_form": forms.get("reveal") or RevealForm(),
            "status_form": forms.get("status") or StatusForm(initial={"status": person.status}),
            "category_form": forms.get("category") or CategoryForm(),
            "referral_form": forms.get("referral") or ReferralForm(user=user),
            "contact_form": forms.get("contact") or ContactForm(),
            "meals": meal_panel(user, person),
        },
        status=status,
    )


@login_required
@_refused
def person_detail(request, pk: int):
    _needs(request, Perm.VIEW_PEOPLE)
    return _person_page(request, selectors.person_detail(request.user, pk))


@login_required
@_refused
def person_create(request):
    _needs(request, Perm.MANAGE_PEOPLE)
    user = request.user
    form = PersonForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        lines = [
            services.CategoryLine(c, data["categories_from"], source=data["source"])
            for c in data["categories"]
        ]
        try:
            person = services.person_register(
                actor=user,
                name=data["name"],
                id_number=data["id_number"],
                birth_date=data["birth_date"],
                region=data["region"],
                phone=data["phone"],
                address=data["address"],
                household_address=data["household_address"],
                living=data["living"],
                visitor_kind=data["visitor_kind"],
                categories=lines,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("%(name)s has been registered.") % {"name": person.name})
            return redirect("people:detail", pk=person.pk)
    return render(request, "people/person_form.html", {"form": form})


@login_required
@_refused
def person_edit(request, pk: int):
    _needs(request, Perm.MANAGE_PEOPLE)
    person = selectors.person_detail(request.user, pk)
    form = PersonEditForm(request.POST or None, instance=person, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.person_update(
                actor=request.user,
                person=person,
                region=data["region"],
                **{k: data[k] for k in ("name", "phone", "address", "household_address", "living")},
                visitor=data["visitor"],
                visitor_kind=data["visitor_kind"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The details have been saved."))
            return redirect("people:detail", pk=person.pk)
    return render(request, "people/person_edit.html", {"form": form, "person": person})


def _client_address(request) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


@login_required
@require_POST
@_refused
def person_reveal(request, pk: int):
    """Show the full ID number once, on this page, after the reason is given; audited."""
    _needs(request, Perm.VIEW_PEOPLE)
    person = selectors.person_detail(request.user, pk)
    form = RevealForm(request.POST)
    if form.is_valid():
        try:
            number = services.id_reveal(
                actor=request.user,
                person=person,
                reason=form.cleaned_data["reason"],
                address=_client_address(request),
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            response = _person_page(request, person, revealed=number)
            response["Cache-Control"] = "no-store"
            return response
    return _person_page(request, person, forms={"reveal": form}, status=422)


@login_required
@require_POST
@_refused
def person_status(request, pk: int):
    _needs(request, Perm.MANAGE_PEOPLE)
    person = selectors.person_detail(request.user, pk)
    form = StatusForm(request.POST)
    if form.is_valid():
        try:
            services.person_set_status(actor=request.user, person=person, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The status has been saved."))
            return redirect("people:detail", pk=person.pk)
    return _person_page(request, person, forms={"status": form}, status=422)


@login_required
@require_POST
@_refused
def category_add(request, pk: int):
    _needs(request, Perm.MANAGE_PEOPLE)
    person = selectors.person_detail(request.user, pk)
    form = CategoryForm(request.POST)
    if form.is_valid():
        try:
            services.category_add(
                actor=request.user, person=person, line=services.CategoryLine(**form.cleaned_data)
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The category has been added."))
            return redirect("people:detail", pk=person.pk)
    return _person_page(request, person, forms={"category": form}, status=422)


@login_required
@require_POST
@_refused
def category_end(request, pk: int, held: int):
    _needs(request, Perm.MANAGE_PEOPLE)
    person = selectors.person_detail(request.user, pk)
    try:
        category = PersonCategory.objects.get(pk=held, person=person)
    except PersonCategory.DoesNotExist as exc:
        raise Http404 from exc
    try:
        services.category_end(actor=request.user, held=category, on=timezone.localdate())
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The category has been ended today."))
    return redirect("people:detail", pk=person.pk)


@login_required
@_refused
def visit_create(request, pk: int):
    """The door-knocking visit form (敲门行动), a need raised as a problem in one step."""
    _needs(request, Perm.VISIT_PEOPLE)
    user = request.user
    person = selectors.person_detail(user, pk)
    can_raise = user.can(Perm.RAISE_PROBLEM)
    form = VisitForm(request.POST or None, request.FILES or None, can_raise=can_raise)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        need = None
        if can_raise and data.get("raise_problem"):
            need = Found(
                title=data["problem_title"],
                category=data["problem_category"],
                due_on=data["problem_due_on"],
                severity=data["problem_severity"],
                description=data["needs"],
            )
        try:
            visit = services.visit_record(
                actor=user,
                person=person,
                visited_on=data["visited_on"],
                seen=data["seen"],
                health=data["health"],
                safety=data["safety"],
                food=data["food"],
                mood=data["mood"],
                needs=data["needs"],
                notes=data["notes"],
                photos=data["photos"],
                need=need,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            raised = visit.raised.first()
            if raised:
                messages.success(
                    request, _("The visit is recorded and the problem raised: it is now followed.")
                )
                return redirect("problem_detail", pk=raised.problem_id)
            messages.success(request, _("The visit is recorded."))
            return redirect("people:detail", pk=person.pk)
    return render(request, "people/visit_form.html", {"form": form, "person": person})


@login_required
@_refused
def visit_photo(request, pk: int):
    _needs(request, Perm.VIEW_PEOPLE)
    visits = HouseholdVisit.objects.visible_to(request.user).values("pk")
    try:
        photo = VisitPhoto.objects.get(pk=pk, visit__in=visits)
    except VisitPhoto.DoesNotExist as exc:
        raise Http404 from exc
    return serve_photo(photo)


@login_required
@_refused
def due_list(request):
    """What is due (应访): the user's own people first for a visitor; counts per visitor,
    township and county for those who watch over others."""
    _needs(request, Perm.VIEW_PEOPLE)
    user = request.user
    today = timezone.localdate()
    within = 7
    mine = request.GET.get("all") != "1" and selectors.due_visits(user, mine=True).exists()
    people = selectors.due_visits(user, within_days=within, today=today, mine=mine)
    people = people.select_related("region", "region__parent")
    # Those who watch a county or more see it by township; a township sees its visitors.
    scope = scope_of(user)
    wide = scope.everything or len(scope.prefix or "") in (4, 6)
    by = request.GET.get("by") or ("township" if wide else "visitor")
    counts = selectors.due_counts(user, by=by, within_days=within, today=today)
    names = _group_names(by, [c.key for c in counts])
    return render(
        request,
        "people/due_list.html",
        {
            "page": paginate(request, people),
            "today": today,
            "week_end": today + datetime.timedelta(days=within),
            "mine": mine,
            "by": by,
            "counts": [
                (names.get(c.key) or c.key or _("(no visitor assigned)"), c) for c in counts[:50]
            ],
        },
    )


def _group_names(by: str, keys) -> dict:
    keys = [k for k in keys if k]
    if by == "visitor":
        from carepair.accounts.models import User

        return {u.pk: u.full_name or u.username for u in User.objects.filter(pk__in=keys)}
    codes = {str(k).ljust(12, "0"): k for k in keys}
    return {codes[r.code]: r.name for r in Region.objects.filter(code__in=codes)}


@login_required
@_refused
def alerts_page(request):
    _needs(request, Perm.VIEW_PEOPLE)
    return render(
        request,
        "people/alerts.html",
        {"alerts": selectors.alerts(request.user), "today": timezone.localdate()},
    )


@login_required
@_refused
def archive_edit(request, pk: int):
    person = selectors.person_detail(request.user, pk)
    if not (request.user.can(Perm.MANAGE_PEOPLE) or request.user.can(Perm.VIEW_REFERRALS)):
        raise NotAllowed(_("Your role may not keep children's files."))
    archive = ChildArchive.objects.filter(person=person).first()
    form = ArchiveForm(request.POST or None, instance=archive)
    if request.method == "POST" and form.is_valid():
        try:
            services.archive_save(actor=request.user, person=person, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The child's file has been saved."))
            return redirect("people:detail", pk=person.pk)
    return render(request, "people/archive_form.html", {"form": form, "person": person})


@login_required
@require_POST
@_refused
def referral_create(request, pk: int):
    person = selectors.person_detail(request.user, pk)
    _needs(request, Perm.VIEW_REFERRALS)
    form = ReferralForm(request.POST, user=request.user)
    if form.is_valid():
        try:
            services.referral_make(actor=request.user, person=person, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The referral has been recorded."))
            return redirect("people:detail", pk=person.pk)
    return _person_page(request, person, forms={"referral": form}, status=422)


@login_required
@require_POST
@_refused
def contact_add(request, pk: int):
    person = selectors.person_detail(request.user, pk)
    _needs(request, Perm.MANAGE_PEOPLE)
    form = ContactForm(request.POST)
    if form.is_valid():
        try:
            services.contact_add(actor=request.user, person=person, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The contact has been added."))
            return redirect("people:detail", pk=person.pk)
    return _person_page(request, person, forms={"contact": form}, status=422)


@login_required
@require_POST
@_refused
def contact_remove(request, pk: int, contact: int):
    person = selectors.person_detail(request.user, pk)
    _needs(request, Perm.MANAGE_PEOPLE)
    try:
        found = Contact.objects.get(pk=contact, person=person)
    except Contact.DoesNotExist as exc:
        raise Http404 from exc
    services.contact_remove(actor=request.user, contact=found)
    messages.success(request, _("The contact has been removed."))
    return redirect("people:detail", pk=person.pk)


@login_required
@_refused
def health_edit(request, pk: int):
    person = selectors.person_detail(request.user, pk)
    _needs(request, Perm.VIEW_HEALTH)
    _needs(request, Perm.MANAGE_PEOPLE)
    health = PersonHealth.objects.filter(person=person).first()
    form = HealthForm(request.POST or None, instance=health)
    if request.method == "POST" and form.is_valid():
        try:
            services.health_save(actor=request.user, person=person, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The health notes have been saved."))
            return redirect("people:detail", pk=person.pk)
    return render(request, "people/health_form.html", {"form": form, "person": person})
