from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("quotas", "0003_ledger_entry_source"),
    ]

    operations = [
        migrations.RemoveField(model_name="ledgerentry", name="proposal"),
        migrations.AddIndex(
            model_name="ledgerentry",
            index=models.Index(fields=["source_type", "source_id"], name="quotas_ledg_source__f7eda4_idx"),
        ),
    ]
