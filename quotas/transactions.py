"""What a caller may say when the database fails during a write.

A service's transaction either rolled back before its commit (nothing changed:
"retry") or lost the connection *while committing* — then the database may have
committed it, and the only honest answer is "unknown, reload before retrying".
The outside test saw 5 of 34 submissions answer "nothing was changed" for
changes that had been committed, with connections cut mid-burst.
"""

from contextlib import contextmanager

from django.db import InterfaceError, OperationalError, transaction
from django.utils.translation import gettext_noop

DATABASE_ERRORS = (OperationalError, InterfaceError)

MSG_UNAVAILABLE = gettext_noop("系统繁忙或数据库暂时不可用，本次操作未生效，请稍后重试。")
MSG_OUTCOME_UNKNOWN = gettext_noop(
    "提交时与数据库的连接中断，无法确认本次操作是否已生效。请刷新页面查看当前状态，再决定是否重试。"
)


class OutcomeUnknown(Exception):
    """The database failed while committing: the change may or may not stand."""

    code = "outcome_unknown"


@contextmanager
def committing(context):
    """Run the body inside `context` (a transaction, or viewflow's lock, which
    opens one). A database error after the body finished — i.e. in the commit of
    an outermost transaction — becomes OutcomeUnknown; one inside the body
    propagates as it is (the transaction rolled back)."""
    outermost = not transaction.get_connection().in_atomic_block
    body_done = False
    try:
        with context:
            yield
            body_done = True
    except DATABASE_ERRORS as error:
        if body_done and outermost:
            raise OutcomeUnknown(str(error)) from error
        raise
