from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("verification", "0004_population_events"),
    ]

    operations = [
        migrations.AddField(
            model_name="membermatch",
            name="audit_flags",
            field=models.JSONField(blank=True, default=list, verbose_name="tanda audit"),
        ),
    ]
