"""Users (用户): a person with one role, a home region and usually an organisation."""

import datetime
import hashlib
import secrets

from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.db import connection, models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from carepair.accounts.roles import PERMISSIONS, Role
from carepair.lib.loaded import loaded


class UserQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Accounts in the user's region or of an organisation they may see, and their own."""
        from carepair.accounts.scope import scope_of

        scope = scope_of(user)
        if scope.everything:
            return self
        q = models.Q(pk=user.pk) if getattr(user, "pk", None) else models.Q(pk__in=[])
        if scope.prefix:
            q |= models.Q(region__code__prefix=scope.prefix)
            q |= models.Q(organisation__region__code__prefix=scope.prefix)
        if scope.organisation_id:
            q |= models.Q(organisation_id=scope.organisation_id)
        if scope.institution_ids:
            q |= models.Q(organisation_id__in=scope.institution_ids)
        return self.filter(q)


class UserManager(DjangoUserManager.from_queryset(UserQuerySet)):
    pass


class User(AbstractUser):
    """An account of the programme: a civil-affairs official, a department liaison
    (部门联络员), institution staff, a township worker, a volunteer or a data officer."""

    full_name = models.CharField(_("full name"), max_length=64, blank=True)
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    region = models.ForeignKey(
        "regions.Region",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        verbose_name=_("region"),
        help_text=_("For city, county and township roles: the region they see and act in."),
    )
    organisation = models.ForeignKey(
        "orgs.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
        verbose_name=_("organisation"),
    )
    phone = models.CharField(_("phone"), max_length=32, blank=True)

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self):
        return self.full_name or self.username

    def can(self, perm: str) -> bool:
        """What this user's role may do (where is `visible_to`)."""
        if not self.is_active:
            return False
        if self.is_superuser:
            return True
        return perm in PERMISSIONS.get(self.role, ())

    @property
    def may(self) -> "_May":
        """`can()` for templates: `{% if user.may.view_people %}`."""
        return _May(self)


class _May:
    def __init__(self, user):
        self._user = user

    def __getitem__(self, perm: str) -> bool:
        return self._user.can(perm)


class ApiTokenQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(user=user)


LAST_USED_PRECISION = datetime.timedelta(minutes=1)


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class ApiToken(models.Model):
    """A bearer token for the REST API. Only its SHA-256 digest is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=64, default="cli")
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self):
        return f"{self.user} · {self.name}"

    @classmethod
    def issue(cls, user: User, name: str = "cli") -> str:
        """Create a token and return its key; the key is never stored in clear."""
        key = "cp_" + secrets.token_urlsafe(32)
        cls.objects.create(user=user, name=name, digest=_digest(key))
        return key

    @classmethod
    def authenticate(cls, key: str) -> User | None:
        """The token's active user, with what an API call reads of them loaded (the rest
        loads when read). Every API call starts here, so the look-up is one statement
        written out, at a fraction of what building it through the ORM cost
        (benchmarks/redemption)."""
        stale_before = timezone.now() - LAST_USED_PRECISION
        with connection.cursor() as cursor:
            cursor.execute(
                _AUTHENTICATE_SQL,
                [connection.ops.adapt_datetimefield_value(stale_before), _digest(key)],
            )
            row = cursor.fetchone()
        if row is None:
            return None
        token_id, stale, *values = row
        # Kept to the minute: a till posting meal after meal would otherwise make every
        # request a write, and on SQLite wait in line with the meals themselves.
        if stale:
            cls.objects.filter(pk=token_id).update(last_used_at=timezone.now())
        return loaded(User, **dict(zip(_TOKEN_USER_FIELDS, values, strict=True)))


_TOKEN_USER_FIELDS = (
    "id",
    "username",
    "full_name",
    "role",
    "region_id",
    "organisation_id",
    "is_active",
    "is_staff",
    "is_superuser",
)
_AUTHENTICATE_SQL = (
    "SELECT t.id, (t.last_used_at IS NULL OR t.last_used_at < %s), "
    + ", ".join(f"u.{User._meta.get_field(name).column}" for name in _TOKEN_USER_FIELDS)
    + f" FROM {ApiToken._meta.db_table} t JOIN {User._meta.db_table} u ON u.id = t.user_id"
    " WHERE t.digest = %s AND u.is_active"
)
