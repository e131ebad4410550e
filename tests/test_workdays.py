"""办理时限 count working days: weekends and holidays off, 调休 weekends on."""

import datetime as dt

import pytest

from quotas.models import Holiday
from quotas.workdays import add_working_days

pytestmark = pytest.mark.django_db


def test_a_friday_plus_one_working_day_is_the_monday():
    assert add_working_days(dt.date(2026, 11, 27), 1) == dt.date(2026, 11, 30)


def test_holidays_are_skipped_and_weekend_working_days_count():
    Holiday.objects.create(date=dt.date(2026, 10, 1), name="国庆节")
    Holiday.objects.create(date=dt.date(2026, 10, 2), name="国庆节")
    Holiday.objects.create(date=dt.date(2026, 10, 10), name="调休上班", working_day=True)  # a Saturday
    # Wednesday 30 September + 2 working days: 1 and 2 October are off, the 3rd/4th a weekend.
    assert add_working_days(dt.date(2026, 9, 30), 2) == dt.date(2026, 10, 6)
    # Friday 9 October + 1: the Saturday is a working day.
    assert add_working_days(dt.date(2026, 10, 9), 1) == dt.date(2026, 10, 10)


def test_it_crosses_the_year_end():
    Holiday.objects.create(date=dt.date(2027, 1, 1), name="元旦")
    assert add_working_days(dt.date(2026, 12, 31), 1) == dt.date(2027, 1, 4)
