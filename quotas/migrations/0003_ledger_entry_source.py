import django.db.models.deletion
from django.db import migrations, models


def proposal_becomes_source(apps, schema_editor):
    """Every entry written for a proposal keeps pointing at it, generically."""
    LedgerEntry = apps.get_model("quotas", "LedgerEntry")
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not LedgerEntry.objects.filter(proposal__isnull=False).exists():
        return
    proposal_type, _ = ContentType.objects.get_or_create(app_label="approvals", model="proposal")
    LedgerEntry.objects.filter(proposal__isnull=False).update(
        source_type=proposal_type, source_id=models.F("proposal_id"))


class Migration(migrations.Migration):
    """The ledger records what caused an entry generically, so that flags and plans
    can write to it without quotas depending on approvals. Split from 0004 so
    that PostgreSQL drops the old column after this data step has committed."""

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("quotas", "0002_ledgerentry_proposal"),
    ]

    operations = [
        migrations.AddField(
            model_name="ledgerentry",
            name="source_id",
            field=models.PositiveBigIntegerField(blank=True, null=True, verbose_name="来源编号"),
        ),
        migrations.AddField(
            model_name="ledgerentry",
            name="source_type",
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT,
                                    related_name="+", to="contenttypes.contenttype", verbose_name="来源类型"),
        ),
        migrations.RunPython(proposal_becomes_source, migrations.RunPython.noop),
    ]
