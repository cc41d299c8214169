"""The lookup's indexes: the last four digits of a phone and the start of an archive number
on every database; on PostgreSQL also pg_trgm GIN indexes for any part of a phone, a name
or a company (SQLite searches those by scanning, slower)."""

import django.db.models.functions.text
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.db import migrations, models
from django.db.models.functions import Upper

# Upper() because icontains compares UPPER(column) LIKE UPPER(pattern).
TRIGRAM_INDEXES = {
    "resident": [
        GinIndex(OpClass(Upper("name"), name="gin_trgm_ops"), name="resident_name_trgm"),
        GinIndex(OpClass(Upper("company"), name="gin_trgm_ops"), name="resident_company_trgm"),
    ],
    "residentphone": [
        GinIndex(OpClass("digits", name="gin_trgm_ops"), name="phone_digits_trgm"),
    ],
}


def trigram_indexes_create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for model_name, indexes in TRIGRAM_INDEXES.items():
        model = apps.get_model("frontdesk", model_name)
        for index in indexes:
            schema_editor.add_index(model, index)


def trigram_indexes_drop(apps, schema_editor):
    # The extension stays: other objects of the database may use it.
    if schema_editor.connection.vendor != "postgresql":
        return
    for model_name, indexes in TRIGRAM_INDEXES.items():
        model = apps.get_model("frontdesk", model_name)
        for index in indexes:
            schema_editor.remove_index(model, index)


class Migration(migrations.Migration):

    dependencies = [
        ('frontdesk', '0008_notification_about'),
    ]

    operations = [
        migrations.AddField(
            model_name='residentphone',
            name='last_four',
            field=models.GeneratedField(db_persist=True, expression=django.db.models.functions.text.Right('digits', 4), output_field=models.CharField(max_length=4)),
        ),
        migrations.AddIndex(
            model_name='resident',
            index=models.Index(fields=['archive_number'], name='resident_archive_prefix', opclasses=['varchar_pattern_ops']),
        ),
        migrations.AddIndex(
            model_name='residentphone',
            index=models.Index(fields=['last_four'], name='phone_last_four'),
        ),
        migrations.RunPython(trigram_indexes_create, trigram_indexes_drop),
    ]
