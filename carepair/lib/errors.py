"""Errors that services raise and views turn into a message or a 4xx answer."""

from django.core.exceptions import PermissionDenied, ValidationError

__all__ = ["IllegalTransition", "NotAllowed", "PermissionDenied", "ValidationError"]


class NotAllowed(PermissionDenied):
    """The user may see the object but may not do this to it (HTTP 403)."""


class IllegalTransition(ValidationError):
    """The object is not in a state where this step can be taken (HTTP 409)."""
