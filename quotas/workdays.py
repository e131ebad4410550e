"""Working-day arithmetic for time limits (办理时限): weekends and public
holidays are days off, 调休 weekend days are working days (quotas.Holiday)."""

import datetime

from .models import Holiday


def calendar(first: datetime.date, last: datetime.date) -> dict[datetime.date, bool]:
    """{date: is a working day} for the exceptions between first and last (one query)."""
    return dict(Holiday.objects.filter(date__gte=first, date__lte=last).values_list("date", "working_day"))


def is_working_day(day: datetime.date, exceptions: dict) -> bool:
    if day in exceptions:
        return exceptions[day]
    return day.isoweekday() <= 5


def add_working_days(start: datetime.date, days: int, exceptions: dict | None = None) -> datetime.date:
    """The day on which `days` working days after `start` have passed (start itself
    not counted): add_working_days(Friday, 1) is the next Monday."""
    if exceptions is None:
        exceptions = calendar(start, start + datetime.timedelta(days=days * 3 + 40))
    day = start
    while days > 0:
        day += datetime.timedelta(days=1)
        if is_working_day(day, exceptions):
            days -= 1
    return day
