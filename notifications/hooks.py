"""What approvals.services._transition calls: after the commit, enqueue the
notifications of one audit row. A failure to enqueue is logged, never raised:
the change has committed and the answer to the user must say so."""

import logging

from django.db import transaction

logger = logging.getLogger(__name__)


def after_commit(event) -> None:
    transaction.on_commit(lambda: _enqueue(event.pk))


def _enqueue(event_id: int) -> None:
    from .tasks import notify_event

    try:
        notify_event.enqueue(event_id)
    except Exception:  # noqa: BLE001
        logger.exception("could not enqueue the notifications of audit row %s", event_id)
