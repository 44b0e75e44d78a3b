"""Findings in words (比对发现的说明): the engine gives facts, rules and per-field agreement
as data; these are the sentences a township worker reads, in their language."""

import functools

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from carepair.regions.models import Region

RULES = {
    "id_exact": gettext_lazy("Same ID number, borne out by the name or birth date"),
    "id_check_added": gettext_lazy("ID number missing its check character, completed"),
    "id_check_fixed": gettext_lazy("ID number with a wrong check character, corrected"),
    "id_digit_fixed": gettext_lazy("ID number with one mistyped digit, corrected"),
    "id_swap_fixed": gettext_lazy("ID number with two digits swapped, corrected"),
    "fellegi_sunter": gettext_lazy("Name, birth date, address and phone weighed together"),
}
FIELDS = {
    "name": pgettext_lazy("compared field", "name"),
    "birth": pgettext_lazy("compared field", "birth date"),
    "sex": pgettext_lazy("compared field", "sex"),
    "id": pgettext_lazy("compared field", "ID number"),
    "phone": pgettext_lazy("compared field", "phone"),
    "address": pgettext_lazy("compared field", "address"),
}
LEVELS = {
    "exact": (gettext_lazy("the same"), True),
    "same": (gettext_lazy("the same"), True),
    "same_pinyin": (gettext_lazy("sounds the same"), True),
    "fuzzy_pinyin": (gettext_lazy("sounds alike (Sichuan)"), True),
    "truncated": (gettext_lazy("cut short"), True),
    "similar": (gettext_lazy("similar"), True),
    "one_part": (gettext_lazy("surname or given name the same"), True),
    "near": (gettext_lazy("nearly the same"), True),
    "same_year": (gettext_lazy("same year"), True),
    "same_area": (gettext_lazy("same area"), True),
    "different": (gettext_lazy("different"), False),
    "missing": (gettext_lazy("not on both"), False),
}


def evidence_items(evidence: str, rule: str = "") -> list[tuple[str, str, bool]]:
    items = []
    for part in (evidence or "").split(";"):
        field, _sep, level = part.partition("=")
        if field not in FIELDS:
            continue
        label, agrees = LEVELS.get(level, (level, False))
        if field == "id" and rule in RULES and rule.startswith("id_"):
            # The ID step linked them: the engine does not weigh the number again.
            label, agrees = (LEVELS["exact"][0] if rule == "id_exact" else RULES[rule]), True
        items.append((str(FIELDS[field]), str(label), agrees))
    return items


@functools.cache
def _county_name(prefix: str) -> str:
    """A county's name by its six digits, read once per process (a findings page would
    otherwise ask for it row by row); the statistical codes of counties do not change."""
    return (
        Region.objects.filter(code=f"{prefix}000000").values_list("name", flat=True).first() or ""
    )


def describe(finding) -> str:
    f = finding.facts or {}
    key = finding.scenario
    if key == "deceased_still_paid":
        text = _("Died on %(died)s; paid from %(paid)s") % {
            "died": f.get("died", "?"),
            "paid": f.get("paid_from", "?"),
        }
        return f"{text}（{f['benefit']}）" if f.get("benefit") else text
    if key == "paid_twice":
        if f.get("other_roll"):
            return _("Also on the other roll, which excludes this one")
        code = f.get("also_in_county", "")
        return _("Also paid in %(county)s") % {"county": _county_name(code) or code or "?"}
    if key == "eligible_not_registered":
        if f.get("alone"):
            reason = _("Aged %(age)s, living alone") % {"age": f.get("age", "?")}
        elif f.get("grade"):
            reason = _("Disability grade %(grade)s") % {"grade": f["grade"]}
        else:
            reason = _("Orphan")
        return _("%(reason)s; not in the registry") % {"reason": reason}
    if key == "left_behind_missing":
        text = _("Both parents on the migrant-worker list; no left-behind child file")
        return f"{text}（{f['school']}）" if f.get("school") else text
    if key == "disabled_children_out_of_school":
        return _("Aged %(age)s, on no school roll") % {"age": f.get("age", "?")}
    if key == "benefit_with_assets":
        if f.get("plate"):
            return _("Owns the vehicle %(plate)s") % {"plate": f["plate"]}
        return _("Owns the business %(business)s") % {"business": f.get("business", "?")}
    return ""
