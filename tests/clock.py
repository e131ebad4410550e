"""Outcomes are recorded only after an item's date (approvals.kinds), and the
suite's items lie in 2027. `outcomes_due()` moves "now" forward for the code
that judges outcomes and the public cost page — and only for it, so sessions,
tokens and audit times keep the real clock."""

import datetime as dt
from contextlib import ExitStack, contextmanager
from unittest import mock

from django.utils import timezone

from approvals.models import SHANGHAI

# Modules whose `timezone` decides whether an item's date has passed.
JUDGES = ("approvals.kinds.document", "approvals.kinds.meeting", "approvals.selectors")


class Clock:
    """Stands in for django.utils.timezone in the judging modules."""

    def __init__(self, at: dt.datetime):
        self.at = at

    def now(self):
        return self.at

    def localdate(self, value=None):
        return timezone.localtime(value or self.at).date()

    def localtime(self, value=None):
        return timezone.localtime(value or self.at)


@contextmanager
def outcomes_due(at: dt.datetime | None = None):
    at = at or dt.datetime(2028, 1, 2, 9, 0, tzinfo=SHANGHAI)
    with ExitStack() as stack:
        for module in JUDGES:
            stack.enter_context(mock.patch(f"{module}.timezone", Clock(at)))
        yield at
