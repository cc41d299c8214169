"""Every call now has its property: NOT NULL, and the indexes the dashboard reads a period
through (scored calls by property and time; callbacks by property and due or done time; the
queue's open callbacks by deadline)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("visits", "0004_call_property"),
    ]

    operations = [
        migrations.AlterField(
            model_name="callattempt",
            name="property",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="frontdesk.property",
            ),
        ),
        migrations.AddIndex(
            model_name="callattempt",
            index=models.Index(
                condition=models.Q(("reached", True), ("satisfaction__isnull", False)),
                fields=["property", "at", "satisfaction"],
                name="call_scored",
            ),
        ),
        migrations.AddIndex(
            model_name="callback",
            index=models.Index(
                condition=models.Q(("status", "open")),
                fields=["property", "due_at"],
                name="callback_open_due",
            ),
        ),
        migrations.AddIndex(
            model_name="callback",
            index=models.Index(
                fields=["property", "due_at", "kind", "status", "timing"], name="callback_period"
            ),
        ),
        migrations.AddIndex(
            model_name="callback",
            index=models.Index(
                condition=models.Q(("done_at__isnull", False)),
                fields=["property", "done_at"],
                name="callback_done",
            ),
        ),
    ]
