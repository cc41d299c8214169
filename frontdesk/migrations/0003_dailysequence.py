from django.db import migrations, models


class Migration(migrations.Migration):
    """Archive numbers become one series of the general daily sequence."""

    dependencies = [
        ("frontdesk", "0002_labels"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="archivesequence", name="archive_sequence_unique"),
        migrations.RenameModel(old_name="ArchiveSequence", new_name="DailySequence"),
        migrations.AddField(
            model_name="dailysequence",
            name="series",
            field=models.CharField(default="archive", max_length=20),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name="dailysequence",
            name="last",
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.AddConstraint(
            model_name="dailysequence",
            constraint=models.UniqueConstraint(
                fields=("property", "series", "day"), name="daily_sequence_unique"
            ),
        ),
    ]
