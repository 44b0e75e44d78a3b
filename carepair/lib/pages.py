"""Small helpers that list pages and form pages share: paging, the Excel switch, and
putting a service's ValidationError back on the form that caused it."""

from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.utils.translation import gettext as _

from carepair.accounts.roles import Perm
from carepair.lib.errors import NotAllowed

PER_PAGE = 50


def paginate(request, queryset, per_page: int = PER_PAGE, param: str = "page") -> Page:
    """One page of the queryset; a page number out of range gives the last page."""
    return Paginator(queryset, per_page).get_page(request.GET.get(param))


def wants_xlsx(request) -> bool:
    """`?format=xlsx` asks for the list as Excel; the role must be allowed to export."""
    if request.GET.get("format") != "xlsx":
        return False
    if not request.user.can(Perm.EXPORT):
        raise NotAllowed
    return True


def errors_to_form(form, exc: ValidationError) -> None:
    """Show a service's errors on the form: by field where the form has that field,
    above the form otherwise."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            target = field if field in form.fields else None
            for error in errors:
                form.add_error(target, error)
    else:
        for message in exc.messages:
            form.add_error(None, message)


def _shown(field, value):
    if value is None or value == "":
        return "—"
    if field is not None and field.choices:
        return dict(field.flatchoices).get(value, value)
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    return value


def history_rows(records, limit: int = 50) -> list:
    """django-simple-history records, newest first, each with `changes`: the fields that
    changed from the record before it, as (label, old, new). One query for the records."""
    records = list(records.order_by("-history_date", "-history_id")[: limit + 1])
    rows = []
    for newer, older in zip(records, [*records[1:], None], strict=True):
        newer.changes = []
        if older is not None and newer.history_type == "~":
            model = newer.instance_type
            for change in newer.diff_against(older).changes:
                field = model._meta.get_field(change.field)
                newer.changes.append(
                    (field.verbose_name, _shown(field, change.old), _shown(field, change.new))
                )
        rows.append(newer)
    return rows[:limit]
