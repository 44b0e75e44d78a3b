"""Big data comparison (大数据比对) in the application: the departmental lists a data
officer uploads, the runs of a scenario over them, and the findings each run sends to the
township that can check them at the door."""

from django.conf import settings
from django.core.cache import cache
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from carepair.accounts.roles import Perm
from carepair.accounts.scope import scope_of


class ListKind(models.TextChoices):
    DEATHS = "deaths", _("Deaths (死亡人员)")
    BENEFIT_ROLL = "benefit_roll", _("Benefit roll (低保、特困发放名单)")
    HOUSEHOLD_REGISTER = "household_register", _("Household register (户籍人口)")
    DISABILITY = "disability", _("Disability certificates (残疾人证)")
    ORPHANS = "orphans", _("Orphans (孤儿名单)")
    SCHOOL_ROLL = "school_roll", _("School roll (学籍)")
    MIGRANT_WORKERS = "migrant_workers", _("Migrant workers (外出务工人员)")
    VEHICLES = "vehicles", _("Vehicle registrations (车辆登记)")
    BUSINESSES = "businesses", _("Business registrations (工商登记)")
    HOSPITAL_STAYS = "hospital_stays", _("Hospital stays (住院记录)")


class Scenario(models.TextChoices):
    """The comparisons of `carepair.matching.engine.scenarios`, by key."""

    DECEASED_STILL_PAID = "deceased_still_paid", _("Deceased but still paid (死亡仍领取)")
    PAID_TWICE = "paid_twice", _("Paid twice (重复领取)")
    ELIGIBLE_NOT_REGISTERED = (
        "eligible_not_registered",
        _("Eligible but not in the registry (应纳未纳)"),
    )
    LEFT_BEHIND_MISSING = (
        "left_behind_missing",
        _("Likely left-behind children missing from the archive (疑似留守儿童)"),
    )
    DISABLED_CHILDREN_OUT_OF_SCHOOL = (
        "disabled_children_out_of_school",
        _("Disabled children of school age on no school roll (残疾儿童未入学)"),
    )
    BENEFIT_WITH_ASSETS = (
        "benefit_with_assets",
        _("Benefit recipients owning a vehicle or a business (名下有车辆或企业)"),
    )


class _RegionScoped(models.QuerySet):
    """Records of the user's region and below (a prefix of the region code)."""

    region_field = "region__code"

    def visible_to(self, user):
        if not getattr(user, "is_authenticated", False) or not user.can(self.perm):
            return self.none()
        scope = scope_of(user)
        if scope.everything:
            return self
        if not scope.prefix:
            return self.none()
        return self.filter(**{f"{self.region_field}__startswith": scope.prefix})


class DataListQuerySet(_RegionScoped):
    perm = Perm.RUN_COMPARISON


class DataList(models.Model):
    """A department's list (部门名单) uploaded for comparison: its rows kept as a Parquet
    file of the engine's columns (record_id, name, id_number, birth_date, sex, phone,
    address) and those of its kind, as the uploader mapped them."""

    name = models.CharField(_("name"), max_length=128)
    kind = models.CharField(_("kind"), max_length=32, choices=ListKind.choices)
    department = models.CharField(_("from department"), max_length=128, blank=True)
    as_of = models.DateField(_("as of"), null=True, blank=True)
    region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("region")
    )
    file = models.FileField(_("rows"), upload_to="matching/lists/")
    rows = models.PositiveIntegerField(_("rows"), default=0)
    # The file's headers, and which of our columns each is mapped to.
    columns = models.JSONField(_("columns"), default=dict)
    ready = models.BooleanField(_("ready"), default=False)  # mapped and kept as Parquet
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    objects = DataListQuerySet.as_manager()

    class Meta:
        ordering = ["-uploaded_at", "-pk"]
        verbose_name = _("department list")
        verbose_name_plural = _("department lists")

    def __str__(self):
        return self.name


class RunQuerySet(_RegionScoped):
    perm = Perm.RUN_COMPARISON


class Run(models.Model):
    """A run of one scenario over chosen lists (比对批次): who started it, when, on which
    lists, how many findings, and how they were settled."""

    class State(models.TextChoices):
        QUEUED = "queued", pgettext_lazy("comparison run", "Waiting")
        RUNNING = "running", pgettext_lazy("comparison run", "Running")
        DONE = "done", pgettext_lazy("comparison run", "Done")
        FAILED = "failed", _("Failed: no findings written")

    class Stage(models.TextChoices):
        """How far a running comparison has got (kept in the cache, not the table)."""

        READING = "reading", _("Reading the lists")
        REGISTRY = "registry", _("Preparing the registry")
        LINKING = "linking", _("Comparing")
        WRITING = "writing", _("Writing the findings")

    scenario = models.CharField(_("scenario"), max_length=40, choices=Scenario.choices)
    lists = models.ManyToManyField(DataList, related_name="runs", verbose_name=_("lists"))
    region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("region")
    )
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default="queued")
    message = models.TextField(_("message"), blank=True)
    findings = models.PositiveIntegerField(_("findings"), default=0)
    counts = models.JSONField(_("counts"), default=dict)
    task_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(_("started at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    objects = RunQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("comparison run")
        verbose_name_plural = _("comparison runs")

    def __str__(self):
        return f"{self.get_scenario_display()} #{self.pk}"

    @property
    def finished(self) -> bool:
        return self.state in (self.State.DONE, self.State.FAILED)

    def progress_key(self) -> str:
        return f"comparison-run-progress:{self.pk}"

    def progress(self) -> dict:
        """The running comparison's stage, in words, and its seconds so far."""
        if self.state == self.State.QUEUED:
            return {
                "stage": "queued",
                "stage_label": str(_("Waiting for the worker")),
                "seconds": 0,
            }
        if self.state != self.State.RUNNING:
            return {"stage": "", "stage_label": "", "seconds": 0}
        stage, seconds = cache.get(self.progress_key()) or (self.Stage.READING, 0)
        key, _sep, step = str(stage).partition(":")
        label = str(self.Stage(key).label) if key in self.Stage.values else ""
        if step:
            label = _("%(stage)s (step %(step)s)") % {"stage": label, "step": step}
        return {"stage": key, "stage_label": label, "seconds": seconds}


class FindingQuerySet(_RegionScoped):
    perm = Perm.CHECK_FINDINGS

    def open(self):
        return self.filter(status=Finding.Status.OPEN)


class Action(models.TextChoices):
    """What a confirmed finding led to."""

    REGISTERED = "registered", _("Added to the registry")
    BENEFIT_STOPPED = "benefit_stopped", _("Benefit stopped")
    VISIT_SCHEDULED = "visit_scheduled", _("Visit scheduled")
    OTHER = "other", _("Other (see the note)")


class Finding(models.Model):
    """A finding (比对发现): one person a scenario picked out, with its evidence, sent to
    the township of the person's region to be checked at the door and settled: confirmed
    (and what was done) or dismissed (and why). A dismissed finding is not raised again."""

    class Status(models.TextChoices):
        OPEN = "open", _("To check")
        CONFIRMED = "confirmed", _("Confirmed")
        DISMISSED = "dismissed", _("Dismissed")

    run = models.ForeignKey(Run, on_delete=models.CASCADE, related_name="found")
    scenario = models.CharField(_("scenario"), max_length=40, choices=Scenario.choices)
    # A keyed hash of what identifies the person for this scenario (never the number).
    identity = models.CharField(max_length=64, editable=False)
    region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("region")
    )
    person = models.ForeignKey(
        "people.Person",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("person in the registry"),
    )
    name = models.CharField(_("name"), max_length=64)
    id_masked = models.CharField(_("ID number"), max_length=18, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    source = models.ForeignKey(
        DataList, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("list")
    )
    record_id = models.CharField(_("record"), max_length=64)
    other_record_id = models.CharField(_("other record"), max_length=64, blank=True)
    score = models.FloatField(_("score"), null=True, blank=True)
    decision = models.CharField(_("link"), max_length=8, blank=True)
    rule = models.CharField(_("rule"), max_length=32, blank=True)
    evidence = models.CharField(_("evidence"), max_length=255, blank=True)
    facts = models.JSONField(_("facts"), default=dict)  # what the scenario saw, as data
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.OPEN
    )
    action = models.CharField(_("action"), max_length=16, choices=Action.choices, blank=True)
    note = models.TextField(_("note"), blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("checked by"),
    )
    checked_at = models.DateTimeField(_("checked at"), null=True, blank=True)
    visit_on = models.DateField(_("visit scheduled on"), null=True, blank=True)

    objects = FindingQuerySet.as_manager()

    class Meta:
        ordering = ["status", "region_id", "pk"]
        verbose_name = _("finding")
        verbose_name_plural = _("findings")
        constraints = [
            models.UniqueConstraint(fields=["run", "identity"], name="finding_once_per_run"),
        ]
        indexes = [
            models.Index(fields=["identity", "status"]),
            models.Index(fields=["region", "status"]),
        ]

    def __str__(self):
        return f"{self.name} ({self.get_scenario_display()})"

    def description(self) -> str:
        """What was found, in the reader's language."""
        from carepair.matching.wording import describe

        return describe(self)

    def rule_label(self) -> str:
        from carepair.matching.wording import RULES

        return str(RULES.get(self.rule, self.rule))

    def evidence_items(self) -> list[tuple[str, str, bool]]:
        """Each compared field: (field, how it compared, whether it agreed)."""
        from carepair.matching.wording import evidence_items

        return evidence_items(self.evidence, self.rule)
