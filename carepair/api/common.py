"""What every part of the API shares: choices as typed literals, scoped look-ups, money."""

import datetime
from decimal import Decimal
from typing import Annotated, Literal

from django.db import models
from django.utils.translation import gettext as _
from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination
from pydantic import AfterValidator, WithJsonSchema
from pydantic_core import PydanticCustomError

from carepair.lib.errors import ValidationError
from carepair.lib.money import fen_to_yuan

# Chinese names and messages as themselves, not as \uXXXX escapes.
JSON_DUMPS_PARAMS = {"ensure_ascii": False}


def one_of(choices: type[models.Choices]):
    """The values of a Django choices class as a type. (The classes themselves would do,
    but several share a name, such as `Kind`, and would clash in the schema.) Whole-number
    choices also accept their digits as text, as a query string gives them."""
    values = tuple(choices.values)
    if not all(isinstance(v, int) for v in values):
        return Literal[values]

    def check(value: int) -> int:
        if value not in values:
            expected = ", ".join(str(v) for v in values)
            raise PydanticCustomError("literal_error", "", {"expected": expected})
        return value

    schema = WithJsonSchema({"type": "integer", "enum": list(values)})
    return Annotated[int, AfterValidator(check), schema]


class Pagination(LimitOffsetPagination):
    """?limit=&offset= ; answers {"items": [...], "count": N}."""

    def __init__(self, **kwargs):
        super().__init__(max_limit=500, **kwargs)


RegionCode = Field(
    None,
    pattern=r"^[0-9]{4,12}$",
    description="A division code or its prefix: 511102 or 511102000000 is 市中区 and below.",
)


def user_of(request):
    return request.auth


class References:
    """The records a request refers to by id or code, each looked up in a queryset of what
    the caller may see. A missing and an out-of-scope record are the same bad choice (422
    on that field); every bad field is reported at once."""

    def __init__(self):
        self.errors: dict[str, list[str]] = {}

    def one(self, queryset, value, field: str):
        if value is None:
            return None
        try:
            return queryset.get(pk=value)
        except (queryset.model.DoesNotExist, ValueError, TypeError):
            self.errors[field] = [invalid_choice()]
            return None

    def many(self, queryset, values: list, field: str) -> list:
        found = {obj.pk: obj for obj in queryset.filter(pk__in=values)}
        if set(values) - set(found):
            self.errors[field] = [invalid_choice()]
        return [found[v] for v in dict.fromkeys(values) if v in found]

    def check(self) -> None:
        if self.errors:
            raise ValidationError(self.errors)


def invalid_choice() -> str:
    return _("Select a valid choice. That choice is not one of the available choices.")


def yuan(fen: int | None) -> str | None:
    """Fen as a yuan amount string with two decimals: 1250 -> "12.50"."""
    return None if fen is None else str(fen_to_yuan(fen))


def decimal_text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def check_period(start: datetime.date | None, end: datetime.date | None) -> None:
    if start and end and start > end:
        raise ValidationError({"to": _("The end of the period comes before its start.")})


def custom_error(code: str, message: str) -> PydanticCustomError:
    """A validation error whose (already translated) message reaches the client as is."""
    return PydanticCustomError(f"carepair_{code}", message)


class Named(Schema):
    id: int
    name: str
