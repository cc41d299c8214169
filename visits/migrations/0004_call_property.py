"""The call row gets its callback's property (filled from the callback), so the dashboard finds
a period's calls by property and time. NOT NULL and the indexes follow in 0005, once the rows
are filled (PostgreSQL refuses to alter a table with pending trigger events in one transaction)."""

import django.db.models.deletion
from django.db import migrations, models

FILL = """
UPDATE visits_callattempt SET property_id = (
    SELECT c.property_id FROM visits_callback c WHERE c.id = visits_callattempt.callback_id
) WHERE property_id IS NULL
"""


class Migration(migrations.Migration):
    dependencies = [
        ("frontdesk", "0008_notification_about"),
        ("visits", "0003_dunning_calls"),
    ]

    operations = [
        migrations.AddField(
            model_name="callattempt",
            name="property",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="frontdesk.property",
            ),
        ),
        migrations.RunSQL(FILL, migrations.RunSQL.noop, elidable=False),
    ]
