import datetime
import quotas.validators
from django.db import migrations, models


class Migration(migrations.Migration):
    """Separate from 0003 so that PostgreSQL alters the table after the data
    migration's deferred constraint checks have run."""

    dependencies = [
        ('approvals', '0003_joint_lead_files_and_year_bounds'),
    ]

    operations = [
        migrations.RemoveField(
            model_name='proposal',
            name='lead_department',
        ),
        migrations.AlterField(
            model_name='proposal',
            name='end',
            field=models.DateTimeField(blank=True, null=True, validators=[quotas.validators.validate_year], verbose_name='结束时间'),
        ),
        migrations.AlterField(
            model_name='proposal',
            name='issued_on',
            field=models.DateField(blank=True, null=True, validators=[quotas.validators.validate_year], verbose_name='印发日期'),
        ),
        migrations.AlterField(
            model_name='proposal',
            name='planned_date',
            field=models.DateField(blank=True, null=True, validators=[quotas.validators.validate_year], verbose_name='计划日期'),
        ),
        migrations.AlterField(
            model_name='proposal',
            name='start',
            field=models.DateTimeField(blank=True, null=True, validators=[quotas.validators.validate_year], verbose_name='开始时间'),
        ),
        migrations.AddConstraint(
            model_name='proposal',
            constraint=models.CheckConstraint(condition=models.Q(('planned_date__isnull', True), models.Q(('planned_date__gte', datetime.date(1900, 1, 1)), ('planned_date__lte', datetime.date(2999, 12, 31))), _connector='OR'), name='proposal_planned_date_year_in_range'),
        ),
        migrations.AddConstraint(
            model_name='proposal',
            constraint=models.CheckConstraint(condition=models.Q(('issued_on__isnull', True), models.Q(('issued_on__gte', datetime.date(1900, 1, 1)), ('issued_on__lte', datetime.date(2999, 12, 31))), _connector='OR'), name='proposal_issued_on_year_in_range'),
        ),
        migrations.AddConstraint(
            model_name='proposal',
            constraint=models.CheckConstraint(condition=models.Q(('start__isnull', True), models.Q(('start__gte', datetime.datetime(1900, 1, 1, 0, 0, tzinfo=datetime.timezone.utc)), ('start__lte', datetime.datetime(2999, 12, 31, 23, 59, 59, tzinfo=datetime.timezone.utc))), _connector='OR'), name='proposal_start_year_in_range'),
        ),
        migrations.AddConstraint(
            model_name='proposal',
            constraint=models.CheckConstraint(condition=models.Q(('end__isnull', True), models.Q(('end__gte', datetime.datetime(1900, 1, 1, 0, 0, tzinfo=datetime.timezone.utc)), ('end__lte', datetime.datetime(2999, 12, 31, 23, 59, 59, tzinfo=datetime.timezone.utc))), _connector='OR'), name='proposal_end_year_in_range'),
        ),
    ]
