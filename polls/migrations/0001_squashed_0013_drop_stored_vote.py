"""
The schema of migrations 0001 to 0013, built in one step: what a fresh database gets.

Squashed (Django's `replaces`) rather than reset to a new 0001: databases made before it, such as a
deployed app's, hold 0001 to 0011 and still need 0012 and 0013 (below) to drop the stored
functions, the triggers and Question.choice_count in a safe order; a reset would leave them there,
or demand that every such database be emptied. A fresh database replays none of those objects:
written by makemigrations from today's models, this creates the tables, constraints and indexes
as they stand after 0013, plus the one thing models cannot say (the rate counters' UNLOGGED
table, migration 0007's reason below).

Once every deployed database has applied it, the migrations it replaces, and `replaces` itself, can
be deleted (https://docs.djangoproject.com/en/6.1/topics/migrations/#migration-squashing).
"""

import django.core.validators
import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


def rate_counters_unlogged(apps, schema_editor):
    """
    Rate counters in an UNLOGGED table on PostgreSQL: no write-ahead log, so counting a vote
    against its client's limit costs no WAL write. After a crash PostgreSQL empties the table,
    which costs nothing but a fresh window for every client: exactly the data a rate limit may
    lose. (Ballots and votes stay in ordinary, crash-safe tables.)
    """
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE polls_ratecounter SET UNLOGGED")


class Migration(migrations.Migration):

    replaces = [
        ('polls', '0001_initial'),
        ('polls', '0002_ratecounter'),
        ('polls', '0003_question_drafts'),
        ('polls', '0004_ballot_newest_first'),
        ('polls', '0005_question_choice_count'),
        ('polls', '0006_cast_first_ballot'),
        ('polls', '0007_ratecounter_unlogged'),
        ('polls', '0008_redundant_fk_indexes'),
        ('polls', '0009_count_first_ballot'),
        ('polls', '0010_drop_cast_first_ballot'),
        ('polls', '0011_count_limited_first_ballot'),
        ('polls', '0012_question_choice_count_leaves_the_model'),
        ('polls', '0013_drop_stored_vote'),
    ]

    initial = True

    dependencies = [
    ]

    operations = [
        migrations.CreateModel(
            name='Question',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('question_text', models.CharField(max_length=200)),
                ('pub_date', models.DateTimeField(blank=True, default=django.utils.timezone.now, help_text='The poll stays hidden until then. Leave empty for a draft, hidden until published.', null=True, verbose_name='publish at')),
                ('closes_at', models.DateTimeField(blank=True, help_text='Leave empty to keep the poll open.', null=True, verbose_name='closes at')),
                ('max_choices', models.PositiveSmallIntegerField(default=1, help_text='1 shows radio buttons; more shows checkboxes.', validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(50)], verbose_name='choices a voter may pick')),
                ('results_visibility', models.CharField(choices=[('always', 'Always'), ('after_vote', 'After the visitor has voted'), ('after_close', 'Only after the poll closes')], default='always', max_length=12, verbose_name='results are visible')),
                ('voter_count', models.PositiveIntegerField(default=0, editable=False, verbose_name='ballots')),
                ('revision', models.PositiveBigIntegerField(default=0, editable=False)),
                ('updated_at', models.DateTimeField(auto_now=True)),
            ],
            options={
                'ordering': ['-pub_date', '-pk'],
                'indexes': [models.Index(fields=['-pub_date', '-id'], name='question_newest_first')],
                'constraints': [models.CheckConstraint(condition=models.Q(('closes_at__isnull', True), ('closes_at__gt', models.F('pub_date')), _connector='OR'), name='question_closes_after_publish', violation_error_message='The closing time must come after the publish time.'), models.CheckConstraint(condition=models.Q(('max_choices__gte', 1)), name='question_max_choices_positive')],
            },
        ),
        migrations.CreateModel(
            name='Choice',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('choice_text', models.CharField(max_length=200)),
                ('position', models.PositiveSmallIntegerField(default=0, help_text='Choices are shown in this order.')),
                ('votes', models.PositiveIntegerField(default=0, editable=False)),
                ('question', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='choices', to='polls.question')),
            ],
            options={
                'ordering': ['question', 'position', 'pk'],
            },
        ),
        migrations.CreateModel(
            name='Ballot',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('voter', models.UUIDField()),
                ('cast_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('changed_at', models.DateTimeField(blank=True, null=True)),
                ('question', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='ballots', to='polls.question')),
            ],
            options={
                'ordering': ['-cast_at', '-pk'],
            },
        ),
        migrations.CreateModel(
            name='RateCounter',
            fields=[
                ('pk', models.CompositePrimaryKey('key', 'started', blank=True, editable=False, primary_key=True, serialize=False)),
                ('key', models.CharField(max_length=80)),
                ('started', models.BigIntegerField()),
                ('hits', models.PositiveIntegerField(default=1)),
            ],
            options={
                'ordering': ['started', 'key'],
                'indexes': [models.Index(fields=['started'], name='ratecounter_started')],
            },
        ),
        migrations.CreateModel(
            name='Vote',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('ballot', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='votes', to='polls.ballot')),
                ('choice', models.ForeignKey(on_delete=django.db.models.deletion.RESTRICT, related_name='ballot_votes', to='polls.choice')),
            ],
            options={
                'ordering': ['ballot', 'choice'],
            },
        ),
        migrations.AddConstraint(
            model_name='choice',
            constraint=models.UniqueConstraint(fields=('question', 'choice_text'), name='choice_text_unique_per_question', violation_error_message='Each choice of a question must be different.'),
        ),
        migrations.AddConstraint(
            model_name='choice',
            constraint=models.CheckConstraint(condition=models.Q(('choice_text', ''), _negated=True), name='choice_text_not_empty'),
        ),
        migrations.AddIndex(
            model_name='ballot',
            index=models.Index(fields=['-cast_at', '-id'], name='ballot_newest_first'),
        ),
        migrations.AddConstraint(
            model_name='ballot',
            constraint=models.UniqueConstraint(fields=('voter', 'question'), name='one_ballot_per_voter_per_question'),
        ),
        migrations.AddConstraint(
            model_name='vote',
            constraint=models.UniqueConstraint(fields=('ballot', 'choice'), name='one_vote_per_choice_per_ballot'),
        ),
        migrations.RunPython(rate_counters_unlogged, migrations.RunPython.noop),
    ]
