"""Roles (角色) of DESIGN.md §2: what each may do. Where it may do it is scope.py."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    CITY_ADMIN = "city_admin", _("City administrator")
    CITY_LEADER = "city_leader", _("City leader")
    COUNTY_ADMIN = "county_admin", _("County administrator")
    COUNTY_LEADER = "county_leader", _("County leader")
    LIAISON = "liaison", _("Department liaison")
    INSTITUTION_STAFF = "institution_staff", _("Institution staff")
    TOWNSHIP_WORKER = "township_worker", _("Township worker")
    VOLUNTEER = "volunteer", _("Social organisation or volunteer")
    DATA_OFFICER = "data_officer", _("Data officer")
    CHILD_SUPERVISOR = "child_supervisor", _("Child welfare supervisor")


# Roles whose scope is a region (a code prefix); the others see what their organisation
# is paired with (or is).
REGION_ROLES = frozenset(
    {
        Role.CITY_ADMIN,
        Role.CITY_LEADER,
        Role.COUNTY_ADMIN,
        Role.COUNTY_LEADER,
        Role.TOWNSHIP_WORKER,
        Role.DATA_OFFICER,
        Role.CHILD_SUPERVISOR,
    }
)


class Perm(models.TextChoices):
    VIEW_DASHBOARD = "view_dashboard", _("View the dashboard")
    MANAGE_ORGS = "manage_orgs", _("Keep the organisation registry")
    MANAGE_PAIRINGS = "manage_pairings", _("Pair, adjust and end pairings")
    LOG_ACTIVITY = "log_activity", _("Record visits and activities")
    CONFIRM_RECEIPT = "confirm_receipt", _("Confirm assistance received")
    RAISE_PROBLEM = "raise_problem", _("Raise problems")
    ASSIGN_PROBLEM = "assign_problem", _("Assign problems to a helper")
    WORK_PROBLEM = "work_problem", _("Work on and resolve assigned problems")
    EXPORT = "export", _("Export lists")
    USE_ADMIN = "use_admin", _("Use the back office")
    VIEW_PEOPLE = "view_people", _("See the registry of people in need")
    MANAGE_PEOPLE = "manage_people", _("Register, edit and import people in need")
    VISIT_PEOPLE = "visit_people", _("Record household visits")
    REVEAL_ID = "reveal_id", _("Reveal a full ID number, with a reason")
    VIEW_HEALTH = "view_health", _("See health, disability and mental-health notes")
    VIEW_REFERRALS = "view_referrals", _("See and make mental-health referrals")
    RUN_COMPARISON = "run_comparison", _("Upload department lists and run comparisons")
    CHECK_FINDINGS = "check_findings", _("See and settle comparison findings")
    VIEW_MEALS = "view_meals", _("See the meal network, diners and meals")
    REDEEM_MEALS = "redeem_meals", _("Record meals at a meal point")
    MANAGE_MEALS = "manage_meals", _("Keep the meal network and diners, settle months")


_ALL_VIEW = {Perm.VIEW_DASHBOARD, Perm.EXPORT}
# Who keeps the registry of people in need, and sees what it holds.
_PEOPLE_KEEPER = {
    Perm.VIEW_PEOPLE,
    Perm.MANAGE_PEOPLE,
    Perm.VISIT_PEOPLE,
    Perm.REVEAL_ID,
    Perm.VIEW_HEALTH,
}

PERMISSIONS: dict[str, frozenset[str]] = {
    Role.CITY_ADMIN: frozenset(
        _ALL_VIEW
        | {
            Perm.MANAGE_ORGS,
            Perm.MANAGE_PAIRINGS,
            Perm.LOG_ACTIVITY,
            Perm.RAISE_PROBLEM,
            Perm.ASSIGN_PROBLEM,
            Perm.USE_ADMIN,
            Perm.RUN_COMPARISON,
            Perm.CHECK_FINDINGS,
            Perm.VIEW_MEALS,
            Perm.MANAGE_MEALS,
        }
        | _PEOPLE_KEEPER
    ),
    Role.CITY_LEADER: frozenset(_ALL_VIEW | {Perm.VIEW_PEOPLE, Perm.VIEW_MEALS}),
    Role.COUNTY_ADMIN: frozenset(
        _ALL_VIEW
        | {
            Perm.MANAGE_ORGS,
            Perm.MANAGE_PAIRINGS,
            Perm.LOG_ACTIVITY,
            Perm.RAISE_PROBLEM,
            Perm.ASSIGN_PROBLEM,
            Perm.USE_ADMIN,
            Perm.RUN_COMPARISON,
            Perm.CHECK_FINDINGS,
            Perm.VIEW_MEALS,
            Perm.MANAGE_MEALS,
        }
        | _PEOPLE_KEEPER
    ),
    Role.COUNTY_LEADER: frozenset(
        _ALL_VIEW | {Perm.LOG_ACTIVITY, Perm.VIEW_PEOPLE, Perm.VIEW_MEALS}
    ),
    Role.LIAISON: frozenset(
        _ALL_VIEW | {Perm.LOG_ACTIVITY, Perm.RAISE_PROBLEM, Perm.ASSIGN_PROBLEM, Perm.WORK_PROBLEM}
    ),
    # Staff of an institution, a social organisation or a township that runs a meal point
    # record its meals.
    Role.INSTITUTION_STAFF: frozenset(
        _ALL_VIEW
        | {
            Perm.CONFIRM_RECEIPT,
            Perm.RAISE_PROBLEM,
            Perm.WORK_PROBLEM,
            Perm.VIEW_MEALS,
            Perm.REDEEM_MEALS,
        }
    ),
    Role.TOWNSHIP_WORKER: frozenset(
        _ALL_VIEW
        | {
            Perm.LOG_ACTIVITY,
            Perm.RAISE_PROBLEM,
            Perm.ASSIGN_PROBLEM,
            Perm.WORK_PROBLEM,
            Perm.CHECK_FINDINGS,
            Perm.VIEW_MEALS,
            Perm.REDEEM_MEALS,
        }
        | _PEOPLE_KEEPER
    ),
    # A volunteer sees the people they are the assigned visitor of, masked, without health.
    Role.VOLUNTEER: frozenset(
        _ALL_VIEW
        | {
            Perm.LOG_ACTIVITY,
            Perm.WORK_PROBLEM,
            Perm.VIEW_PEOPLE,
            Perm.VISIT_PEOPLE,
            Perm.VIEW_MEALS,
            Perm.REDEEM_MEALS,
        }
    ),
    Role.DATA_OFFICER: frozenset(
        _ALL_VIEW
        | {
            Perm.VIEW_PEOPLE,
            Perm.MANAGE_PEOPLE,
            Perm.REVEAL_ID,
            Perm.RUN_COMPARISON,
            Perm.CHECK_FINDINGS,
        }
    ),
    # 儿童督导员: children's files, health and the mental-health referrals no one else sees.
    Role.CHILD_SUPERVISOR: frozenset(
        _ALL_VIEW | _PEOPLE_KEEPER | {Perm.VIEW_REFERRALS, Perm.RAISE_PROBLEM}
    ),
}
