"""How the API answers when something goes wrong, in one place.

    missing, or outside the caller's scope   404  {"detail": "..."}  (the same body for both)
    no or bad token                          401
    the caller's role may not do this        403  (carepair.lib.errors.NotAllowed)
    the record is not in a state for this    409  (carepair.lib.errors.IllegalTransition)
    bad input                                422  {"detail": "...", "errors": {field: [messages]}}

Messages are translated into the request's language (Chinese unless the client asks
otherwise). Service messages pass through as the services wrote them; pydantic's English
messages are replaced by our own, per error type.
"""

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from carepair.lib.errors import IllegalTransition

# Service functions name the model's fields; the API names the ids and codes it takes.
FIELD_NAMES = {
    "institution": "institution_id",
    "helpers": "helper_ids",
    "helper": "helper_id",
    "leader": "leader_id",
    "area": "area_code",
    "region": "region_code",
    "activity": "activity_id",
    NON_FIELD_ERRORS: "__all__",
}


class ErrorOut(Schema):
    detail: str


class ValidationErrorOut(Schema):
    detail: str
    errors: dict[str, list[str]]


def _invalid_message(error: dict) -> str:
    """Our own (translated) message for one pydantic error."""
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    if kind == "missing":
        return _("This field is required.")
    if kind in ("int_type", "int_parsing", "int_from_float", "int_parsing_size"):
        return _("Enter a whole number.")
    if kind in ("bool_type", "bool_parsing"):
        return _("Enter true or false.")
    if kind.startswith("date"):
        return _("Enter a valid date (YYYY-MM-DD).")
    if kind in ("decimal_type", "decimal_parsing", "float_type", "float_parsing"):
        return _("Enter a number.")
    if kind == "decimal_max_places":
        return _("Use at most %(places)s decimal places.") % {"places": ctx.get("decimal_places")}
    if kind == "decimal_max_digits":
        return _("The number is too long.")
    if kind == "string_type":
        return _("Enter text.")
    if kind == "string_too_short":
        if ctx.get("min_length") == 1:
            return _("This field cannot be blank.")
        return _("Use at least %(count)s characters.") % {"count": ctx.get("min_length")}
    if kind == "string_too_long":
        return _("Use at most %(count)s characters.") % {"count": ctx.get("max_length")}
    if kind == "string_pattern_mismatch":
        return _("Enter a valid value.")
    if kind in ("greater_than_equal", "greater_than"):
        limit = ctx.get("ge", ctx.get("gt"))
        if kind == "greater_than":
            return _("Enter a value greater than %(limit)s.") % {"limit": limit}
        return _("Enter a value of at least %(limit)s.") % {"limit": limit}
    if kind in ("less_than_equal", "less_than"):
        limit = ctx.get("le", ctx.get("lt"))
        if kind == "less_than":
            return _("Enter a value less than %(limit)s.") % {"limit": limit}
        return _("Enter a value of at most %(limit)s.") % {"limit": limit}
    if kind in ("enum", "literal_error"):
        choices = str(ctx.get("expected", "")).replace(" or ", ", ")
        return _("Choose one of: %(choices)s.") % {"choices": choices}
    if kind == "list_type":
        return _("Enter a list.")
    if kind == "too_short":
        return _("Give at least %(count)s item(s).") % {"count": ctx.get("min_length")}
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return _("Enter an object.")
    if kind == "json_invalid":
        return _("The request body is not valid JSON.")
    if kind in ("extra_forbidden",):
        return _("This field is not accepted.")
    if kind.startswith("carepair_"):
        # Our own validators' messages, translated when they were raised.
        return str(error.get("msg", ""))
    return _("Enter a valid value.")


def _field_of(loc) -> str:
    """("body", "payload", "materials", 0, "value_fen") -> "materials.0.value_fen"."""
    parts = list(loc)
    source = parts.pop(0) if parts else ""
    if source == "body" and len(parts) > 1:
        parts.pop(0)  # the view's parameter name, not part of the document
    if not parts:
        return "__all__"
    return ".".join(str(p) for p in parts)


def _unprocessable(request, api: NinjaAPI, errors: dict[str, list[str]]):
    return api.create_response(
        request,
        {"detail": _("The request has errors; see each field."), "errors": errors},
        status=422,
    )


def install(api: NinjaAPI) -> None:
    """Map the domain's exceptions (carepair.lib.errors) and ninja's to answers."""

    @api.exception_handler(Http404)
    def not_found(request, exc):
        # Whatever the reason (missing, out of scope, bad id), the same answer.
        return api.create_response(request, {"detail": _("Not found.")}, status=404)

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request, exc):
        response = api.create_response(
            request,
            {"detail": _("Send a valid API token: “Authorization: Bearer <token>”.")},
            status=401,
        )
        response["WWW-Authenticate"] = "Bearer"
        return response

    @api.exception_handler(HttpError)
    def http_error(request, exc):
        detail = str(exc)
        if exc.status_code == 400:
            # ninja's one 400: a body it cannot parse.
            detail = _("The request body is not valid JSON.")
        return api.create_response(request, {"detail": detail}, status=exc.status_code)

    @api.exception_handler(PermissionDenied)
    def not_allowed(request, exc):
        message = str(exc) or _("You may not do this.")
        return api.create_response(request, {"detail": message}, status=403)

    @api.exception_handler(IllegalTransition)
    def illegal_transition(request, exc):
        return api.create_response(request, {"detail": " ".join(exc.messages)}, status=409)

    @api.exception_handler(DjangoValidationError)
    def invalid(request, exc):
        if hasattr(exc, "error_dict"):
            errors = {FIELD_NAMES.get(k, k): v for k, v in exc.message_dict.items()}
        else:
            errors = {"__all__": exc.messages}
        return _unprocessable(request, api, errors)

    @api.exception_handler(NinjaValidationError)
    def invalid_request(request, exc):
        errors: dict[str, list[str]] = {}
        for error in exc.errors:
            errors.setdefault(_field_of(error.get("loc", ())), []).append(_invalid_message(error))
        return _unprocessable(request, api, errors)


# What every operation may answer besides success, for the OpenAPI schema.
READ_ERRORS = {401: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut}
WRITE_ERRORS = {**READ_ERRORS, 403: ErrorOut, 409: ErrorOut}
