from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("regional", "0014_snapshot_pending_and_history"),
    ]

    operations = [
        migrations.AddField(
            model_name="reportrun",
            name="school_ids",
            field=models.JSONField(default=list),
        ),
        migrations.AddField(
            model_name="reportrun",
            name="progressed_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="reportrun",
            name="attempts",
            field=models.PositiveSmallIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="reportrow",
            name="title",
            field=models.CharField(blank=True, max_length=200),
        ),
        migrations.AddField(
            model_name="reportrow",
            name="municipality",
            field=models.CharField(blank=True, max_length=300),
        ),
        migrations.AddIndex(
            model_name="reportrun",
            index=models.Index(fields=["status", "progressed_at"], name="report_run_progress"),
        ),
    ]
