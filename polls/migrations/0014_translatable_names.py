"""
Names and help texts that the admin shows became translatable (issue 23): no change to the
database, only to what Django records of the models.
"""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('polls', '0001_squashed_0013_drop_stored_vote'),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='choice',
            options={'ordering': ['question', 'position', 'pk'], 'verbose_name': 'choice', 'verbose_name_plural': 'choices'},
        ),
        migrations.AlterModelOptions(
            name='question',
            options={'ordering': ['-pub_date', '-pk'], 'verbose_name': 'question', 'verbose_name_plural': 'questions'},
        ),
        migrations.AlterField(
            model_name='choice',
            name='choice_text',
            field=models.CharField(max_length=200, verbose_name='choice'),
        ),
        migrations.AlterField(
            model_name='choice',
            name='position',
            field=models.PositiveSmallIntegerField(default=0, help_text='Choices are shown in this order.', verbose_name='position'),
        ),
        migrations.AlterField(
            model_name='choice',
            name='votes',
            field=models.PositiveIntegerField(default=0, editable=False, verbose_name='votes'),
        ),
        migrations.AlterField(
            model_name='question',
            name='question_text',
            field=models.CharField(max_length=200, verbose_name='question'),
        ),
        migrations.AlterField(
            model_name='question',
            name='updated_at',
            field=models.DateTimeField(auto_now=True, verbose_name='updated at'),
        ),
    ]
