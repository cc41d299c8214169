"""Repair payments get an idempotency key, unique, as fee payments have. Payments recorded
before have none: each gets its own ("legacy-" and its id, never a form's 32 hex digits)."""

from django.db import migrations, models
from django.db.models.functions import Cast, Concat


def backfill_keys(apps, schema_editor):
    RepairPayment = apps.get_model("tickets", "RepairPayment")
    RepairPayment.objects.filter(idempotency_key__isnull=True).update(
        idempotency_key=Concat(models.Value("legacy-"), Cast("id", models.CharField()))
    )


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0005_newest_first_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="repairpayment",
            name="idempotency_key",
            field=models.CharField(max_length=64, null=True),
        ),
        migrations.RunPython(backfill_keys, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="repairpayment",
            name="idempotency_key",
            field=models.CharField(max_length=64, unique=True),
        ),
    ]
