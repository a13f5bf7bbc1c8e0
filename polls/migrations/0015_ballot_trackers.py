"""
Receipts (issue 24), first of two releases (docs/migrations.md): every ballot gets its tracker, and
every poll the editors' switch for its public ballot list.

The column stays nullable in this release: while it migrates, the previous release's dynos still
write ballots without one. 0016, in the next release, gives those theirs and makes it required.
"""

import django.db.models.constraints
import django.db.models.deletion
from django.db import migrations, models

from polls.migrations._trackers import fill_trackers


class Migration(migrations.Migration):

    dependencies = [
        ('polls', '0014_translatable_names'),
    ]

    operations = [
        migrations.AddField(
            model_name='ballot',
            name='tracker',
            field=models.CharField(editable=False, max_length=64, null=True),
        ),
        migrations.RunPython(fill_trackers, migrations.RunPython.noop, elidable=True),
        # Off for the polls that exist: their voters were not told that their ballots would be
        # published. New polls publish theirs unless an editor says otherwise.
        migrations.AddField(
            model_name='question',
            name='publish_ballots',
            field=models.BooleanField(default=False),
        ),
        migrations.AlterField(
            model_name='question',
            name='publish_ballots',
            field=models.BooleanField(default=True, help_text='Once the poll closes, anyone may download every ballot, known only by its receipt’s tracker, and recount the results.', verbose_name='publish the ballot list'),
        ),
        migrations.AddConstraint(
            model_name='ballot',
            constraint=models.UniqueConstraint(deferrable=django.db.models.constraints.Deferrable['DEFERRED'], fields=('question', 'tracker'), name='one_ballot_per_tracker_per_question'),
        ),
        # Once the index above exists: it leads with question, so the foreign key's own goes.
        migrations.AlterField(
            model_name='ballot',
            name='question',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='ballots', to='polls.question'),
        ),
        migrations.AddConstraint(
            model_name='ballot',
            constraint=models.CheckConstraint(condition=models.Q(('tracker__regex', '\\A[0-9a-f]{64}\\Z')), name='ballot_tracker_is_sha256'),
        ),
    ]
