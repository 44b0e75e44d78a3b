"""Where a user may look (范围): a region prefix, plus the institutions their organisation
is paired with or is. Every model's `visible_to(user)` is built from this one object."""

import contextlib
from dataclasses import dataclass

from carepair.accounts.roles import REGION_ROLES, Role


@dataclass(frozen=True)
class Scope:
    everything: bool = False
    prefix: str | None = None  # region code prefix; None: no region of its own
    organisation_id: int | None = None
    institution_ids: frozenset[int] = frozenset()

    def owns(self, region_code: str | None) -> bool:
        """Whether a region lies inside the user's own region: what they may register,
        edit or move there. Seeing a record through a pairing is not owning it."""
        if self.everything:
            return True
        return bool(self.prefix and region_code and region_code.startswith(self.prefix))

    @property
    def owns_a_region(self) -> bool:
        """Whether the user's reach is a region of their own (not only what their
        organisation is paired with or the people assigned to them)."""
        return self.everything or bool(self.prefix)

    @property
    def citywide(self) -> bool:
        """The city's own view: every county (the city tier of pairings is kept here)."""
        return self.everything or (self.prefix is not None and len(self.prefix) <= 4)


NOTHING = Scope()


def _compute(user) -> Scope:
    if user is None or not user.is_authenticated or not user.is_active:
        return NOTHING
    if user.is_superuser:
        return Scope(everything=True)
    from carepair.regions.models import prefix_of

    prefix = prefix_of(user.region_id) if user.role in REGION_ROLES and user.region_id else None
    institutions: set[int] = set()
    if user.organisation_id:
        if user.role == Role.INSTITUTION_STAFF:
            institutions.add(user.organisation_id)
        else:
            from carepair.pairing.models import Pairing

            institutions.update(
                Pairing.objects.active()
                .filter(helper_id=user.organisation_id, institution__isnull=False)
                .values_list("institution_id", flat=True)
            )
    return Scope(
        prefix=prefix,
        organisation_id=user.organisation_id,
        institution_ids=frozenset(institutions),
    )


def scope_of(user) -> Scope:
    """The user's scope, computed once per user object (that is, once per request)."""
    cached = getattr(user, "_carepair_scope", None)
    if cached is None:
        cached = _compute(user)
        if user is not None:
            # AnonymousUser may refuse the attribute; recomputing NOTHING is cheap.
            with contextlib.suppress(AttributeError):
                user._carepair_scope = cached
    return cached
