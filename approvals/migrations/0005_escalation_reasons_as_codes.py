from django.db import migrations


def texts_to_codes(apps, schema_editor):
    """Reasons stored as text (in the submitter's language) are kept as text,
    marked so that they are shown as written."""
    Proposal = apps.get_model("approvals", "Proposal")
    for proposal in Proposal.objects.only("pk", "escalations").iterator():
        if all(isinstance(r, dict) for r in proposal.escalations):
            continue
        proposal.escalations = [
            r if isinstance(r, dict) else {"code": "text", "text": r} for r in proposal.escalations
        ]
        proposal.save(update_fields=["escalations"])


class Migration(migrations.Migration):

    dependencies = [
        ("approvals", "0004_year_bounds"),
    ]

    operations = [
        migrations.RenameField(model_name="proposal", old_name="escalation_reasons", new_name="escalations"),
        migrations.RunPython(texts_to_codes, migrations.RunPython.noop),
    ]
