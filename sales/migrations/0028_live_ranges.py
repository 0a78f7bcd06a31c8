"""Indexes that make a performance's free places and live holds one range each (the
waiting room asks both every two seconds). Built concurrently, new before old, so that
sales go on while a large inventory is indexed. (A concurrent build that fails leaves an
invalid index behind: drop it before running the migration again.)"""

import django.db.models.deletion
from django.contrib.postgres.operations import AddIndexConcurrently, RemoveIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ('events', '0008_field_labels'),
        ('sales', '0027_field_labels'),
    ]

    operations = [
        AddIndexConcurrently(
            model_name='place',
            index=models.Index(fields=['performance', 'state', 'hold_expires_at'], name='place_performance_state'),
        ),
        RemoveIndexConcurrently(
            model_name='place',
            name='sales_place_perform_2022c3_idx',
        ),
        AddIndexConcurrently(
            model_name='hold',
            index=models.Index(fields=['performance', 'status', 'channel', 'expires_at'], name='hold_performance_live'),
        ),
        # The foreign key's own index goes (hold_performance_live leads with it); Django's
        # AlterField would drop and re-add the constraint, scanning the table under lock.
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.AlterField(
                model_name='hold',
                name='performance',
                field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='holds', to='events.performance'),
            )],
            database_operations=[migrations.RunSQL(
                "DROP INDEX CONCURRENTLY IF EXISTS sales_hold_performance_id_953718e4",
                "CREATE INDEX CONCURRENTLY IF NOT EXISTS sales_hold_performance_id_953718e4 ON sales_hold (performance_id)",
            )],
        ),
    ]
