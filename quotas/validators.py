"""Input bounds shared by forms, API serializers, services and the database.

One definition of "a plausible year": every date a user types must fall in
MIN_YEAR … MAX_YEAR in Asia/Shanghai *and* in UTC. Without it a meeting at
0001-01-01T00:00 local time (Shanghai's old local-mean-time offset moves it
into 1 BC in UTC) could be stored and then break every page that converts it.
"""

import datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

MIN_YEAR, MAX_YEAR = 1900, 2999
MSG_YEAR_RANGE = _("年份须在 {min} 至 {max} 之间。")

# The same bounds as literals for CHECK constraints (UTC for datetimes).
FIRST_DAY = datetime.date(MIN_YEAR, 1, 1)
LAST_DAY = datetime.date(MAX_YEAR, 12, 31)
FIRST_MOMENT = datetime.datetime(MIN_YEAR, 1, 1, tzinfo=datetime.timezone.utc)
LAST_MOMENT = datetime.datetime(MAX_YEAR, 12, 31, 23, 59, 59, tzinfo=datetime.timezone.utc)


def year_in_range(value) -> bool:
    """True when a date or datetime lies within the bounds (a naive or aware datetime
    is checked in its own time zone and in UTC)."""
    if value is None:
        return True
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        return False
    if isinstance(value, datetime.datetime) and value.tzinfo is not None:
        try:
            utc = value.astimezone(datetime.timezone.utc)
        except (OverflowError, ValueError):
            return False
        return MIN_YEAR <= utc.year <= MAX_YEAR
    return True


def validate_year(value) -> None:
    if not year_in_range(value):
        raise ValidationError(
            str(MSG_YEAR_RANGE).format(min=MIN_YEAR, max=MAX_YEAR), code="year_out_of_range"
        )
