"""Draws anyone can verify: the Draw record, and an entry reference for each ballot
application (given to the applications already made, one each)."""

import django.db.models.deletion
from django.db import migrations, models

import sales.models


def give_references(apps, schema_editor):
    BallotEntry = apps.get_model("sales", "BallotEntry")
    for entry in BallotEntry.objects.filter(reference__isnull=True).only("pk"):
        BallotEntry.objects.filter(pk=entry.pk).update(reference=sales.models.new_entry_reference())


class Migration(migrations.Migration):

    dependencies = [
        ('sales', '0021_performance_dashboard'),
    ]

    operations = [
        migrations.RemoveField(
            model_name='ballot',
            name='seed',
        ),
        migrations.RemoveField(
            model_name='waitingroom',
            name='draw_seed',
        ),
        migrations.AddField(
            model_name='ballotentry',
            name='reference',
            field=models.CharField(editable=False, max_length=12, null=True),
        ),
        migrations.RunPython(give_references, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='ballotentry',
            name='reference',
            field=models.CharField(default=sales.models.new_entry_reference, editable=False, max_length=12, unique=True),
        ),
        migrations.CreateModel(
            name='Draw',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('seed', models.CharField(editable=False, max_length=64)),
                ('seed_commitment', models.CharField(editable=False, max_length=64)),
                ('committed_at', models.DateTimeField(editable=False)),
                ('public_value_source', models.CharField(blank=True, help_text="Optional, before the entries freeze: where the public value will come from, e.g. “the national lottery's winning numbers of 5 December, in ascending order, separated by spaces”. A ballot then waits for the value before it is drawn.", max_length=300, verbose_name='source of the public value')),
                ('public_value', models.CharField(blank=True, help_text='Optional: a value mixed into the draw. Once the entries are frozen, only the value of the source announced before, until the draw.', max_length=200, verbose_name='public value')),
                ('entry_count', models.PositiveIntegerField(blank=True, editable=False, null=True)),
                ('entries_hash', models.CharField(blank=True, editable=False, max_length=64)),
                ('frozen_at', models.DateTimeField(blank=True, editable=False, null=True)),
                ('drawn_at', models.DateTimeField(blank=True, editable=False, null=True)),
                ('entries', models.BinaryField(default=b'')),
                ('ranked', models.BinaryField(default=b'')),
                ('ballot', models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='draw', to='sales.ballot')),
                ('waiting_room', models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='draw', to='sales.waitingroom')),
            ],
            options={
                'constraints': [models.CheckConstraint(condition=models.Q(models.Q(('ballot__isnull', True), ('waiting_room__isnull', False)), models.Q(('ballot__isnull', False), ('waiting_room__isnull', True)), _connector='OR'), name='draw_one_subject'), models.CheckConstraint(condition=models.Q(('drawn_at__isnull', True), ('frozen_at__isnull', False), _connector='OR'), name='draw_drawn_after_frozen'), models.CheckConstraint(condition=models.Q(('frozen_at__isnull', True), models.Q(('entry_count__isnull', False), models.Q(('entries_hash', ''), _negated=True)), _connector='OR'), name='draw_frozen_with_hash')],
            },
        ),
    ]
