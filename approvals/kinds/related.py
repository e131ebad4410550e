"""A draft's many-to-many values as the rules should see them.

A preview checks form data that is not saved (approvals.preview puts each sent
many-to-many value beside the instance as `pending_<name>`); a stored draft
has its values in the database. Every rule that reads units or co-issuers
reads them here, so a preview and a submission check the same thing.
"""


def related_ids(p, name: str) -> list[int]:
    """The ids of `p`'s many-to-many field `name`: the sent ones, else the stored ones."""
    pending = getattr(p, f"pending_{name}", None)
    if pending is not None:
        return [each.pk for each in pending]
    return list(getattr(p, name).values_list("pk", flat=True)) if p.pk else []
