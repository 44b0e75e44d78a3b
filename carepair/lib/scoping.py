"""The one way a view, export or API call reaches a record: through visible_to(user)."""

from django.http import Http404


def visible_or_404(model_or_queryset, user, **lookup):
    """The record the user asked for, or 404 whether it is missing or out of scope: the
    answer never reveals that a record of another region exists."""
    queryset = getattr(model_or_queryset, "objects", model_or_queryset)
    try:
        return queryset.visible_to(user).get(**lookup)
    except (queryset.model.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404(str(queryset.model._meta.verbose_name)) from exc
