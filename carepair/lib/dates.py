"""Ages and anniversaries (年龄), the one way the system counts them."""

import datetime


def age_on(born: datetime.date, day: datetime.date) -> int:
    """Whole years from `born` to `day`."""
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def years_before(day: datetime.date, years: int) -> datetime.date:
    """The same day `years` earlier (28 February for a 29 February)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)
