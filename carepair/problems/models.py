"""Problems (问题): needs, problems and hazards, followed from report to verified fix."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from carepair.accounts.scope import scope_of
from carepair.lib.history import History


class Category(models.TextChoices):
    ENVIRONMENT = "environment", _("Environment")
    FACILITIES = "facilities", _("Facilities and equipment")
    CARE_SKILLS = "care_skills", _("Care skills")
    SAFETY = "safety", _("Safety")
    LIVELIHOOD = "livelihood", _("Livelihood")
    HEALTH = "health", _("Health")
    EDUCATION = "education", _("Education")
    OTHER = "other", _("Other")


class Subcategory(models.TextChoices):
    WATERPROOFING = "waterproofing", _("Waterproofing (防水)")
    POLLUTION = "pollution", _("Pollution control (治污)")
    DREDGING = "dredging", _("Dredging (清淤)")
    CLEANING = "cleaning", _("Cleaning (保洁)")
    WIRING = "wiring", _("Ageing wiring (电气线路)")
    WALLS = "walls", _("Cracked walls (墙体开裂)")
    FIRE_LANES = "fire_lanes", _("Blocked fire lanes (消防通道)")
    FOOD = "food", _("Food safety (食品安全)")
    FRAUD = "fraud", _("Fraud awareness (防骗反诈)")


SUBCATEGORIES = {
    Category.ENVIRONMENT: (
        Subcategory.WATERPROOFING,
        Subcategory.POLLUTION,
        Subcategory.DREDGING,
        Subcategory.CLEANING,
    ),
    Category.SAFETY: (
        Subcategory.WIRING,
        Subcategory.WALLS,
        Subcategory.FIRE_LANES,
        Subcategory.FOOD,
        Subcategory.FRAUD,
    ),
}


class Severity(models.IntegerChoices):
    LOW = 1, _("Minor")
    MEDIUM = 2, _("Moderate")
    HIGH = 3, _("Serious")
    URGENT = 4, _("Urgent")


class Status(models.TextChoices):
    RAISED = "raised", _("Raised")
    ASSIGNED = "assigned", _("Assigned")
    IN_PROGRESS = "in_progress", _("In progress")
    RESOLVED = "resolved", _("Resolved, awaiting verification")
    VERIFIED = "verified", _("Verified")
    REOPENED = "reopened", _("Reopened")


OPEN_STATUSES = (Status.RAISED, Status.ASSIGNED, Status.IN_PROGRESS, Status.REOPENED)


class Source(models.TextChoices):
    INSTITUTION = "institution", _("Raised by the institution")
    VISIT = "visit", _("Found on a visit")
    TOWNSHIP = "township", _("Raised by the township")
    ADMINISTRATION = "administration", _("Raised by civil affairs")
    SHARED_MEAL = "shared_meal", _("Found at a cadre's shared meal (陪餐)")


class EscalationLevel(models.IntegerChoices):
    LOCAL = 0, _("Not escalated")
    COUNTY = 1, _("Escalated to the county")
    CITY = 2, _("Escalated to the city")


class ProblemQuerySet(models.QuerySet):
    def visible_to(self, user):
        scope = scope_of(user)
        if scope.everything:
            return self
        q = models.Q(institution_id__in=scope.institution_ids)
        if scope.prefix:
            q |= models.Q(region__code__prefix=scope.prefix)
        if scope.organisation_id:
            q |= models.Q(assigned_to_id=scope.organisation_id) | models.Q(
                raised_by_org_id=scope.organisation_id
            )
        return self.filter(q)

    def overdue(self, today=None):
        today = today or timezone.localdate()
        return self.filter(status__in=OPEN_STATUSES, due_on__lt=today)


class Problem(models.Model):
    """A need, problem or hazard (困难、问题、隐患) at an institution or in a village:
    raised → assigned to a helper organisation → in progress → resolved with evidence →
    verified by whoever raised it (or reopened). Past its due date it escalates to the
    level above."""

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    category = models.CharField(_("category"), max_length=16, choices=Category.choices)
    subcategory = models.CharField(
        _("subcategory"), max_length=16, choices=Subcategory.choices, blank=True
    )
    severity = models.PositiveSmallIntegerField(
        _("severity"), choices=Severity.choices, default=Severity.MEDIUM
    )
    due_on = models.DateField(_("due date"))
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.RAISED
    )
    source = models.CharField(_("source"), max_length=16, choices=Source.choices)
    institution = models.ForeignKey(
        "orgs.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="problems",
        verbose_name=_("institution"),
    )
    region = models.ForeignKey(
        "regions.Region",
        on_delete=models.PROTECT,
        related_name="problems",
        verbose_name=_("region"),
    )
    activity = models.ForeignKey(
        "ledger.Activity",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="problems",
        verbose_name=_("found on visit"),
    )
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="problems_raised",
        verbose_name=_("raised by"),
    )
    raised_by_org = models.ForeignKey(
        "orgs.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="problems_raised",
        verbose_name=_("raised by organisation"),
    )
    raised_at = models.DateTimeField(_("raised"), default=timezone.now, db_index=True)
    assigned_to = models.ForeignKey(
        "orgs.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="problems_assigned",
        verbose_name=_("assigned to"),
    )
    assigned_at = models.DateTimeField(_("assigned"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    resolution = models.TextField(_("resolution"), blank=True)
    verified_at = models.DateTimeField(_("verified"), null=True, blank=True, db_index=True)
    escalation_level = models.PositiveSmallIntegerField(
        _("escalation"), choices=EscalationLevel.choices, default=EscalationLevel.LOCAL
    )
    escalated_at = models.DateTimeField(_("escalated"), null=True, blank=True)

    objects = ProblemQuerySet.as_manager()
    history = History(excluded_fields=["description", "resolution"])

    class Meta:
        ordering = ["-raised_at", "-pk"]
        verbose_name = _("problem")
        verbose_name_plural = _("problems")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status__in=["assigned", "in_progress", "resolved", "verified"])
                | models.Q(assigned_to__isnull=False),
                name="problem_worked_only_when_assigned",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="verified") | models.Q(verified_at__isnull=False),
                name="problem_verified_has_time",
            ),
        ]
        indexes = [
            models.Index(fields=["region", "raised_at"]),
            models.Index(fields=["status", "due_on"]),
            models.Index(fields=["institution", "status"]),
            # The dashboard's problem figures by region and category read this index alone
            # (reports.selectors.tally).
            models.Index(
                fields=["region", "category", "status", "raised_at", "verified_at", "due_on"],
                name="problem_dashboard_idx",
            ),
        ]

    def __str__(self):
        return self.title

    def is_overdue(self, today=None) -> bool:
        today = today or timezone.localdate()
        return self.status in OPEN_STATUSES and self.due_on < today


class Action(models.TextChoices):
    # A step's name shares its English with a status ("Assigned") but not its Chinese
    # (交办 against 已交办): the context keeps the two apart in the catalogue.
    RAISE = "raise", pgettext_lazy("problem step", "Raised")
    ASSIGN = "assign", pgettext_lazy("problem step", "Assigned")
    START = "start", pgettext_lazy("problem step", "Started")
    RESOLVE = "resolve", pgettext_lazy("problem step", "Resolved")
    VERIFY = "verify", pgettext_lazy("problem step", "Verified")
    REOPEN = "reopen", pgettext_lazy("problem step", "Reopened")
    ESCALATE = "escalate", pgettext_lazy("problem step", "Escalated")


class ProblemEvent(models.Model):
    """One step of a problem's way (流转记录): who did what, when, from which status to
    which, and why."""

    problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("action"), max_length=16, choices=Action.choices)
    from_status = models.CharField(max_length=16, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=Status.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    organisation = models.ForeignKey(
        "orgs.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("organisation"),
    )
    at = models.DateTimeField(_("when"), default=timezone.now)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("problem event")
        verbose_name_plural = _("problem events")

    def __str__(self):
        return f"{self.get_action_display()} {self.at:%Y-%m-%d}"


class EvidenceQuerySet(models.QuerySet):
    def visible_to(self, user):
        """An evidence photo is seen by whoever may see its problem."""
        return self.filter(problem__in=Problem.objects.visible_to(user))


class Evidence(models.Model):
    """A photo attached when a problem is raised or resolved (整改前后照片)."""

    problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="evidence")
    event = models.ForeignKey(
        ProblemEvent, on_delete=models.CASCADE, null=True, blank=True, related_name="evidence"
    )
    image = models.ImageField(_("photo"), upload_to="problems/%Y/%m/")
    content_type = models.CharField(max_length=32)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    objects = EvidenceQuerySet.as_manager()

    class Meta:
        ordering = ["pk"]
        verbose_name = _("evidence photo")
        verbose_name_plural = _("evidence photos")

    def __str__(self):
        return self.image.name
