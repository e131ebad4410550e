"""Limits that are not per-proposal rules, named once.

Per-proposal thresholds (meeting hours, attendees, document length, escalation)
are settings.JIANFU, read by approvals.rules. These are the sizes of things.
"""

from decimal import Decimal

# Free text a person writes: necessity, justification, decision comments.
# A constant, not a setting: it is a column size in the migrations.
TEXT_MAX_CHARS = 5000
# The year-over-year cut plan_quotas and the report apply unless told otherwise.
DEFAULT_REDUCTION = Decimal("0.30")
