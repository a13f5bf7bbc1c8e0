"""
Receipts (issue 24), second release (docs/migrations.md): the tracker becomes required.

Ballots that the dynos before 0015 wrote while it ran get their trackers first, with the table
locked against writes until the ALTER commits: no ballot without one can slip in between.
"""

from django.db import migrations, models

from polls.migrations._trackers import fill_trackers


class Migration(migrations.Migration):

    dependencies = [
        ('polls', '0015_ballot_trackers'),
    ]

    operations = [
        migrations.RunPython(fill_trackers, migrations.RunPython.noop, elidable=True),
        migrations.AlterField(
            model_name='ballot',
            name='tracker',
            field=models.CharField(editable=False, max_length=64),
        ),
    ]
