"""Resident identity numbers (居民身份证号码, GB 11643-1999).

Eighteen characters: six of the registered address, eight of the birth date, three of a
sequence (odd for men, even for women) and a check character computed by ISO 7064
MOD 11-2 (0-9 or X). Old fifteen-digit numbers (two-digit year, no check character) are
converted by writing the century 19 into the year and computing the check character.

`parse()` normalises what people type (spaces, full-width digits, a small x), checks the
number and returns it with the birth date and sex it encodes; anything wrong raises
`InvalidIdNumber` with a message that says what.
"""

import datetime
from dataclasses import dataclass
from operator import mul

from django.utils.translation import gettext as _

WEIGHTS = tuple(pow(2, 17 - i, 11) for i in range(17))  # 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2
CHECK = "10X98765432"
FULL_WIDTH = str.maketrans("０１２３４５６７８９ＸｘX", "0123456789XXX", " \t\u3000-")
EARLIEST = datetime.date(1800, 1, 1)


class InvalidIdNumber(ValueError):
    """What is wrong with an identity number, in words a person can act on."""


@dataclass(frozen=True)
class IdNumber:
    number: str  # 18 characters, upper-case X
    birth_date: datetime.date
    sex: str  # "M" or "F"

    @property
    def masked(self) -> str:
        return mask(self.number)


DIGITS = {str(d): d for d in range(10)}


def check_character(first17: str) -> str:
    """The check character of 17 ASCII digits (a dict lookup per digit: an import checks
    a hundred thousand of these)."""
    return CHECK[sum(map(mul, map(DIGITS.__getitem__, first17), WEIGHTS)) % 11]


def normalise(raw: str) -> str:
    """Spaces and dashes out, full-width digits and a small x made plain."""
    return (raw or "").translate(FULL_WIDTH).upper()


def from_15(number: str) -> str:
    """A fifteen-digit number as the eighteen-digit one it became (born 19YY)."""
    first17 = number[:6] + "19" + number[6:]
    return first17 + check_character(first17)


def canonical(raw: str) -> str:
    """The number as parse() reads it, unchecked: normalised, and a fifteen-digit one as
    its eighteen digits (a file's same person under both forms is found by this)."""
    number = normalise(raw)
    if len(number) == 15 and number.isascii() and number.isdigit():
        return from_15(number)
    return number


def parse(raw: str, today: datetime.date | None = None) -> IdNumber:
    number = canonical(raw)
    if not number:
        raise InvalidIdNumber(_("The ID number is empty."))
    if len(number) == 15:
        raise InvalidIdNumber(_("A 15-digit ID number has digits only."))
    if len(number) != 18:
        raise InvalidIdNumber(
            _("An ID number has 18 characters (or 15 digits for an old one); this has %(n)d.")
            % {"n": len(number)}
        )
    if not (number.isascii() and number[:17].isdigit()) or number[17] not in "0123456789X":
        raise InvalidIdNumber(_("An ID number is 17 digits and a digit or X."))
    try:
        born = datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise InvalidIdNumber(
            _("The birth date in the ID number (%(digits)s) is not a real date.")
            % {"digits": number[6:14]}
        ) from None
    today = today or datetime.date.today()
    if not EARLIEST <= born <= today:
        raise InvalidIdNumber(
            _("The birth date in the ID number (%(date)s) is impossible.") % {"date": born}
        )
    if number[17] != check_character(number[:17]):
        raise InvalidIdNumber(
            _("The check character of the ID number is wrong: a digit was mistyped.")
        )
    return IdNumber(number=number, birth_date=born, sex="M" if int(number[16]) % 2 else "F")


def mask(number: str) -> str:
    """The first six and the last four characters, the rest hidden: 511102********123X."""
    if len(number) <= 10:
        return "*" * len(number)
    return number[:6] + "*" * (len(number) - 10) + number[-4:]
