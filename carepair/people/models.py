"""People in need (困难群众): elderly people and children the townships must know, visit and
help, with the left-behind children's archive (留守儿童一人一档) and door-knocking visits
(敲门行动).

Their data is the most sensitive the city holds. Identity numbers are stored encrypted
(`id_cipher`), found through a keyed hash (`id_hash`) and shown masked (`id_masked`);
health, disability and mental-health notes live in `PersonHealth`, which only roles with
VIEW_HEALTH read; referrals to mental-health services (`Referral`) only VIEW_REFERRALS.
"""

import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from carepair.accounts.roles import Perm, Role
from carepair.accounts.scope import scope_of
from carepair.lib.dates import age_on
from carepair.lib.history import History

ADULT_AGE = 18  # child categories end, and a child's file with them


class Sex(models.TextChoices):
    MALE = "M", _("Male")
    FEMALE = "F", _("Female")


class Status(models.TextChoices):
    ACTIVE = "active", _("Active")
    MOVED_AWAY = "moved_away", _("Moved away")
    DECEASED = "deceased", _("Deceased")


class Living(models.TextChoices):
    ALONE = "alone", _("Lives alone")
    SPOUSE = "spouse", _("With spouse only")
    CHILDREN = "children", _("With children")
    RELATIVES = "relatives", _("With other relatives or guardians")
    INSTITUTION = "institution", _("In a care institution")
    OTHER = "other", _("Other")


class Category(models.TextChoices):
    """Why the programme looks after someone (帮扶对象类别); several may hold at once."""

    EXTREME_HARDSHIP = "extreme_hardship", _("Extreme hardship support (特困供养)")
    DIBAO = "dibao", _("Minimum living allowance (低保)")
    NEAR_DIBAO = "near_dibao", _("Near the allowance line (低保边缘)")
    ALONE = "alone", _("Living alone (独居)")
    EMPTY_NEST = "empty_nest", _("Empty nest (空巢)")
    LEFT_BEHIND_ELDER = "left_behind_elder", _("Left-behind elder (留守老人)")
    DISABLED = "disabled", _("Unable to care for themselves (失能)")
    PARTLY_DISABLED = "partly_disabled", _("Partly unable (半失能)")
    OVER_80 = "over_80", _("Aged 80 or over (高龄)")
    FAMILY_PLANNING = "family_planning", _("Family-planning special family (计生特殊家庭)")
    ORPHAN = "orphan", _("Orphan (孤儿)")
    UNSUPPORTED_CHILD = "unsupported_child", _("Child without de facto carer (事实无人抚养)")
    LEFT_BEHIND_CHILD = "left_behind_child", _("Left-behind child (留守儿童)")
    CHILD_IN_DIFFICULTY = "child_in_difficulty", _("Child in difficulty (困境儿童)")
    DISABLED_CHILD = "disabled_child", _("Disabled child (残疾儿童)")


ELDERLY_CATEGORIES = frozenset(
    {
        Category.EXTREME_HARDSHIP,
        Category.DIBAO,
        Category.NEAR_DIBAO,
        Category.ALONE,
        Category.EMPTY_NEST,
        Category.LEFT_BEHIND_ELDER,
        Category.DISABLED,
        Category.PARTLY_DISABLED,
        Category.OVER_80,
        Category.FAMILY_PLANNING,
    }
)
CHILD_CATEGORIES = frozenset(
    {
        Category.ORPHAN,
        Category.UNSUPPORTED_CHILD,
        Category.LEFT_BEHIND_CHILD,
        Category.CHILD_IN_DIFFICULTY,
        Category.DISABLED_CHILD,
    }
)


class VisitorKind(models.TextChoices):
    TOWNSHIP_WORKER = "township_worker", _("Township worker")
    VOLUNTEER = "volunteer", _("Volunteer")
    PARTY_MEMBER = "party_member", _("Party member")
    VILLAGE_CADRE = "village_cadre", _("Village cadre")


class PersonQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The people of the user's region, and those the user is the assigned visitor of;
        nobody for a role without VIEW_PEOPLE."""
        if not getattr(user, "is_authenticated", False) or not user.can(Perm.VIEW_PEOPLE):
            return self.none()
        scope = scope_of(user)
        if scope.everything:
            return self
        q = models.Q(visitor_id=user.pk)
        if scope.prefix:
            q |= models.Q(region__code__prefix=scope.prefix)
        return self.filter(q)

    def active(self):
        return self.filter(status=Status.ACTIVE)


class Person(models.Model):
    """A person in need (帮扶对象), elderly or a child, in a village or community."""

    name = models.CharField(pgettext_lazy("person", "name"), max_length=64)
    id_cipher = models.CharField(_("ID number (encrypted)"), max_length=128, editable=False)
    id_hash = models.CharField(_("ID number (keyed hash)"), max_length=64, editable=False)
    id_masked = models.CharField(_("ID number"), max_length=18, editable=False)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    birth_date = models.DateField(_("birth date"))
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    household_address = models.CharField(
        _("registered household address"), max_length=200, blank=True
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("village or community"),
        on_delete=models.PROTECT,
        related_name="people",
        db_index=False,  # (region, status) serves it
    )
    living = models.CharField(
        _("living arrangement"), max_length=16, choices=Living.choices, default=Living.OTHER
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.ACTIVE
    )
    status_on = models.DateField(_("status since"), null=True, blank=True)
    status_note = models.CharField(_("status note"), max_length=200, blank=True)
    visitor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned visitor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="people_visited",
        db_index=False,  # (visitor, next_visit_on) serves it
    )
    visitor_kind = models.CharField(
        _("visitor is a"), max_length=16, choices=VisitorKind.choices, blank=True
    )
    # The visit plan, kept by people.services.plan_refresh from the rules and the visits.
    visit_every_days = models.PositiveSmallIntegerField(
        _("visit every (days)"), null=True, blank=True
    )
    last_visit_on = models.DateField(_("last visit"), null=True, blank=True)
    next_visit_on = models.DateField(_("next visit due"), null=True, blank=True)
    created_at = models.DateTimeField(_("registered at"), default=timezone.now, editable=False)
    # Who registered the person: a stamp, like who made a change in the history
    # (carepair.lib.history), with no constraint for an import to check on every row; a
    # user deleted through Django still leaves it empty (SET_NULL).
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
        db_index=False,
        db_constraint=False,
    )

    objects = PersonQuerySet.as_manager()
    # Every index is paid for on each of the tens of thousands of rows an import writes:
    # the history table keeps only the one its pages use (the person's id).
    history = History(
        excluded_fields=["last_visit_on", "next_visit_on"],
        no_db_index=["region", "visitor", "created_by", "id_hash"],
    )

    class Meta:
        ordering = ["region_id", "name", "pk"]
        verbose_name = _("person")
        verbose_name_plural = _("people")
        indexes = [
            models.Index(fields=["region", "status"]),
            models.Index(fields=["status", "next_visit_on"]),
            # A visitor's due list; people with no visitor yet (everyone an import
            # registers) are left out of the index rather than written into it.
            models.Index(
                fields=["visitor", "next_visit_on"],
                condition=models.Q(visitor__isnull=False),
                name="person_visitor_due",
            ),
            models.Index(fields=["birth_date"]),
        ]
        constraints = [
            # A constraint rather than unique=True: PostgreSQL then builds no second,
            # LIKE-able index on a hash nobody searches by pattern.
            models.UniqueConstraint(fields=["id_hash"], name="person_id_hash_unique"),
        ]

    def __str__(self):
        return f"{self.name}（{self.id_masked}）"

    def age_on(self, day: datetime.date) -> int:
        return age_on(self.birth_date, day)

    @property
    def age(self) -> int:
        return self.age_on(timezone.localdate())

    @property
    def is_child(self) -> bool:
        return self.age < ADULT_AGE


class PersonCategoryQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(person__in=Person.objects.visible_to(user))

    def current(self, day: datetime.date | None = None):
        day = day or timezone.localdate()
        return self.filter(
            models.Q(end_on__isnull=True) | models.Q(end_on__gt=day), start_on__lte=day
        )


class PersonCategory(models.Model):
    """One reason someone is looked after, from a date (and to a date), and who said so."""

    # (person, category) below serves the person's own lookups as well.
    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="categories", db_index=False
    )
    category = models.CharField(_("category"), max_length=24, choices=Category.choices)
    start_on = models.DateField(_("from"))
    end_on = models.DateField(_("until"), null=True, blank=True)
    source = models.CharField(
        _("source"), max_length=64, blank=True, help_text=_("Who certified it, e.g. 县民政局.")
    )

    objects = PersonCategoryQuerySet.as_manager()
    history = History()

    class Meta:
        ordering = ["person", "start_on", "pk"]
        verbose_name = _("category held")
        verbose_name_plural = _("categories held")
        indexes = [
            models.Index(fields=["category", "end_on"]),
            models.Index(fields=["person", "category"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_on__isnull=True)
                | models.Q(end_on__gte=models.F("start_on")),
                name="person_category_ends_after_start",
            )
        ]

    def __str__(self):
        return self.get_category_display()

    def holds_on(self, day: datetime.date) -> bool:
        return self.start_on <= day and (self.end_on is None or self.end_on > day)


class ContactKind(models.TextChoices):
    GUARDIAN = "guardian", _("Guardian")
    EMERGENCY = "emergency", _("Emergency contact")
    CARE_PARENT = "care_parent", _("Care parent (代理家长)")
    CARING_MOTHER = "caring_mother", _("Caring mother (爱心妈妈)")


class Contact(models.Model):
    """A guardian (监护人), an emergency contact, or a child's care parent."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="contacts")
    kind = models.CharField(
        pgettext_lazy("contact", "kind"), max_length=16, choices=ContactKind.choices
    )
    name = models.CharField(pgettext_lazy("person", "name"), max_length=64)
    relation = models.CharField(_("relation"), max_length=32, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    age = models.PositiveSmallIntegerField(_("age"), null=True, blank=True)
    health = models.CharField(_("health"), max_length=100, blank=True)

    history = History()

    class Meta:
        ordering = ["person", "kind", "pk"]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")

    def __str__(self):
        return f"{self.name}（{self.get_kind_display()}）"


class PersonHealth(models.Model):
    """Health, disability and mental-health notes: read only with VIEW_HEALTH."""

    person = models.OneToOneField(Person, on_delete=models.CASCADE, related_name="health")
    conditions = models.CharField(_("health conditions"), max_length=200, blank=True)
    disability_type = models.CharField(_("disability type"), max_length=32, blank=True)
    disability_grade = models.PositiveSmallIntegerField(
        _("disability grade"), null=True, blank=True, help_text=_("1 (most severe) to 4.")
    )
    self_care = models.CharField(_("self-care ability"), max_length=32, blank=True)
    mental_health = models.CharField(_("mental health"), max_length=200, blank=True)

    history = History()

    class Meta:
        verbose_name = _("health record")
        verbose_name_plural = _("health records")

    def __str__(self):
        return str(self.person)


class Risk(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")


class Schooling(models.TextChoices):
    REGULAR = "regular", _("Regular class")
    MAINSTREAM = "mainstream", _("Disabled, in a mainstream class (随班就读)")
    AT_HOME = "at_home", _("Disabled, taught at home (送教上门)")
    SPECIAL = "special", _("Special school")
    NONE = "none", _("Not in school")


class HomeComing(models.TextChoices):
    WEEKLY = "weekly", _("Every week")
    MONTHLY = "monthly", _("Every month")
    QUARTERLY = "quarterly", _("Every few months")
    YEARLY = "yearly", _("Once a year")
    RARELY = "rarely", _("Less than once a year")


class ChildArchive(models.Model):
    """A left-behind or vulnerable child's file (一人一档): school, parents away, guardian,
    care parent and risk."""

    person = models.OneToOneField(Person, on_delete=models.CASCADE, related_name="archive")
    school = models.CharField(_("school"), max_length=100, blank=True)
    grade = models.CharField(_("grade"), max_length=32, blank=True)
    class_teacher = models.CharField(_("class teacher"), max_length=64, blank=True)
    teacher_phone = models.CharField(_("class teacher's phone"), max_length=32, blank=True)
    schooling = models.CharField(
        _("schooling"), max_length=16, choices=Schooling.choices, default=Schooling.REGULAR
    )
    father_work = models.CharField(_("father works at"), max_length=100, blank=True)
    father_phone = models.CharField(_("father's phone"), max_length=32, blank=True)
    father_home = models.CharField(
        _("father comes home"), max_length=16, choices=HomeComing.choices, blank=True
    )
    mother_work = models.CharField(_("mother works at"), max_length=100, blank=True)
    mother_phone = models.CharField(_("mother's phone"), max_length=32, blank=True)
    mother_home = models.CharField(
        _("mother comes home"), max_length=16, choices=HomeComing.choices, blank=True
    )
    risk = models.CharField(_("risk level"), max_length=8, choices=Risk.choices, default=Risk.LOW)
    risk_reasons = models.CharField(_("risk reasons"), max_length=200, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = History()

    class Meta:
        verbose_name = _("child's archive")
        verbose_name_plural = _("children's archives")
        indexes = [models.Index(fields=["risk"])]

    def __str__(self):
        return str(self.person)


class ServicePointQuerySet(models.QuerySet):
    def visible_to(self, user):
        scope = scope_of(user)
        if scope.everything:
            return self
        if not scope.prefix:
            return self.none()
        return self.filter(region__code__prefix=scope.prefix)


class ServicePoint(models.Model):
    """A mental-health service point (正心服务站) at a school or in a village."""

    class Kind(models.TextChoices):
        SCHOOL = "school", _("At a school")
        VILLAGE = "village", _("In a village or community")

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    region = models.ForeignKey("regions.Region", verbose_name=_("region"), on_delete=models.PROTECT)
    contact = models.CharField(_("contact person"), max_length=64, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)

    objects = ServicePointQuerySet.as_manager()

    class Meta:
        ordering = ["region_id", "name"]
        verbose_name = _("mental-health service point")
        verbose_name_plural = _("mental-health service points")

    def __str__(self):
        return self.name


class ReferralQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Referrals are seen only with VIEW_REFERRALS, and only of people in reach."""
        if not getattr(user, "is_authenticated", False) or not user.can(Perm.VIEW_REFERRALS):
            return self.none()
        return self.filter(person__in=Person.objects.visible_to(user))


class Referral(models.Model):
    """A child referred to a mental-health service point (心理健康转介): restricted."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="referrals")
    point = models.ForeignKey(
        ServicePoint, verbose_name=_("service point"), on_delete=models.PROTECT
    )
    referred_on = models.DateField(_("referred on"))
    reason = models.CharField(_("reason"), max_length=200)
    outcome = models.CharField(_("outcome"), max_length=200, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    referred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ReferralQuerySet.as_manager()
    history = History()

    class Meta:
        ordering = ["-referred_on", "-pk"]
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")

    def __str__(self):
        return f"{self.person} → {self.point}"


class VisitRule(models.Model):
    """How often someone must be visited (走访频次), kept as data: a category (and a
    second one, if both must hold), an age from which it applies, and the interval. A
    person's interval is the shortest of the rules they meet."""

    name = models.CharField(_("name"), max_length=100)
    category = models.CharField(_("category"), max_length=24, choices=Category.choices)
    also_category = models.CharField(
        _("and also"), max_length=24, choices=Category.choices, blank=True
    )
    min_age = models.PositiveSmallIntegerField(_("from age"), null=True, blank=True)
    every_days = models.PositiveSmallIntegerField(_("visit every (days)"))
    active = models.BooleanField(_("in force"), default=True)

    history = History()

    class Meta:
        ordering = ["every_days", "name"]
        verbose_name = _("visit rule")
        verbose_name_plural = _("visit rules")

    def __str__(self):
        return self.name

    def applies(self, categories: set[str], age: int) -> bool:
        return (
            self.active
            and self.category in categories
            and (not self.also_category or self.also_category in categories)
            and (self.min_age is None or age >= self.min_age)
        )


class Seen(models.TextChoices):
    YES = "yes", _("Seen in person")
    NOT_HOME = "not_home", _("Not at home")
    BY_PHONE = "by_phone", _("By phone or video")


class Condition(models.TextChoices):
    GOOD = "good", _("Good")
    FAIR = "fair", _("Fair")
    POOR = "poor", _("Poor")


class HouseholdVisitQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(person__in=Person.objects.visible_to(user))


class HouseholdVisit(models.Model):
    """A door-knocking visit (敲门行动入户走访): what the visitor saw and what is needed."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="visits")
    visitor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="household_visits"
    )
    visited_on = models.DateField(_("visited on"))
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+")
    seen = models.CharField(_("seen"), max_length=8, choices=Seen.choices, default=Seen.YES)
    # What the visitor saw: only when the person was seen (blank when nobody was home).
    health = models.CharField(_("health"), max_length=8, choices=Condition.choices, blank=True)
    safety = models.CharField(
        _("safety at home"), max_length=8, choices=Condition.choices, blank=True
    )
    food = models.CharField(_("food"), max_length=8, choices=Condition.choices, blank=True)
    mood = models.CharField(_("mood"), max_length=8, choices=Condition.choices, blank=True)
    needs = models.TextField(_("needs"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now, editable=False)

    objects = HouseholdVisitQuerySet.as_manager()

    class Meta:
        ordering = ["-visited_on", "-pk"]
        verbose_name = _("household visit")
        verbose_name_plural = _("household visits")
        indexes = [
            models.Index(fields=["person", "visited_on"]),
            models.Index(fields=["region", "visited_on"]),
        ]

    def __str__(self):
        return f"{self.person.name} {self.visited_on}"


class VisitPhoto(models.Model):
    visit = models.ForeignKey(HouseholdVisit, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(_("photo"), upload_to="visits/%Y/%m/")
    content_type = models.CharField(max_length=32)
    size = models.PositiveIntegerField()
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("visit photo")
        verbose_name_plural = _("visit photos")

    def __str__(self):
        return self.image.name


class VisitProblem(models.Model):
    """A need seen at the door that became a problem in the problem loop."""

    visit = models.ForeignKey(HouseholdVisit, on_delete=models.CASCADE, related_name="raised")
    problem = models.OneToOneField(
        "problems.Problem", on_delete=models.CASCADE, related_name="household_visit"
    )

    class Meta:
        verbose_name = _("problem raised at a visit")
        verbose_name_plural = _("problems raised at visits")

    def __str__(self):
        return str(self.problem)


class IdReveal(models.Model):
    """An audit row for every time someone saw a full identity number (查看完整身份证号)."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="reveals")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("reason"), max_length=200)
    at = models.DateTimeField(_("at"), default=timezone.now)
    address = models.GenericIPAddressField(_("from address"), null=True, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("ID number reveal")
        verbose_name_plural = _("ID number reveals")

    def __str__(self):
        return f"{self.user} {self.person_id} {self.at:%Y-%m-%d %H:%M}"


# Who sees the imports of everyone in their region, not only their own.
ADMIN_ROLES = frozenset({Role.CITY_ADMIN, Role.COUNTY_ADMIN})


class ImportJobQuerySet(models.QuerySet):
    def visible_to(self, user):
        """A user sees the imports they started; a city or county administrator also sees
        those started in their region."""
        if not getattr(user, "is_authenticated", False) or not user.can(Perm.MANAGE_PEOPLE):
            return self.none()
        scope = scope_of(user)
        if scope.everything:
            return self
        q = models.Q(user_id=user.pk)
        if scope.prefix and user.role in ADMIN_ROLES:
            q |= models.Q(region__code__prefix=scope.prefix)
        return self.filter(q)


class ImportJob(models.Model):
    """A file of people being imported (批量导入), with its options, its progress and,
    at the end, its counts and its report (the error workbook, ID numbers masked). The
    uploaded file, which holds full ID numbers, is deleted when the job ends."""

    class Duplicates(models.TextChoices):
        REPORT = "report", _("List them and leave them as they are")
        MERGE = "merge", _("Update their details and add the categories they lack")

    class State(models.TextChoices):
        QUEUED = "queued", _("Waiting")
        RUNNING = "running", _("Running")
        DONE = "done", _("Imported")
        REJECTED = "rejected", _("Rejected: nothing imported")
        FAILED = "failed", _("Failed: nothing imported")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="import_jobs"
    )
    region = models.ForeignKey(
        "regions.Region", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    file = models.FileField(_("file"), upload_to="imports/%Y/%m/", blank=True)
    filename = models.CharField(_("file name"), max_length=200)
    good_rows_only = models.BooleanField(_("import the good rows alone"), default=False)
    duplicates = models.CharField(
        _("people already registered"),
        max_length=8,
        choices=Duplicates.choices,
        default=Duplicates.REPORT,
    )
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.QUEUED)
    stage = models.CharField(max_length=16, blank=True)
    rows_total = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    counts = models.JSONField(default=dict, blank=True)
    message = models.TextField(_("message"), blank=True)
    report = models.FileField(_("report"), upload_to="imports/reports/%Y/%m/", blank=True)
    task_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(_("uploaded at"), default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = ImportJobQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("import")
        verbose_name_plural = _("imports")

    def __str__(self):
        return self.filename

    @property
    def finished(self) -> bool:
        return self.state in (self.State.DONE, self.State.REJECTED, self.State.FAILED)

    def progress_key(self) -> str:
        """The cache key of a running job's progress (see import_jobs.with_progress)."""
        return f"import-job-progress:{self.pk}"

    @property
    def percent(self) -> int:
        if self.finished:
            return 100
        if not self.rows_total:
            return 0
        # Checking is most of the work; writing takes the last tenth.
        share = 90 * self.rows_done // self.rows_total
        return share + (5 if self.stage == "writing" else 0)
