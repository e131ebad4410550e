"""Rows that are added and never changed or deleted (the ledger, the audit trail).

The database is not asked to enforce it (the services never update these rows);
this makes a stray .save(), .update() or .delete() fail loudly instead.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

MSG_NO_CHANGE = _("{record}只能追加，不能修改。")
MSG_NO_DELETE = _("{record}只能追加，不能删除。")


def _refuse(model, message):
    raise ValidationError(str(message).format(record=model.append_only_name))


class AppendOnlyQuerySet(models.QuerySet):
    def delete(self):
        _refuse(self.model, MSG_NO_DELETE)

    def update(self, **kwargs):
        _refuse(self.model, MSG_NO_CHANGE)


class AppendOnlyModel(models.Model):
    """Subclasses set `append_only_name` (e.g. 台账) for the refusal message."""

    append_only_name = _("记录")

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None:
            _refuse(type(self), MSG_NO_CHANGE)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        _refuse(type(self), MSG_NO_DELETE)
