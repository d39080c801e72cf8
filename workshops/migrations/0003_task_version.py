from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("workshops", "0002_team_last_activity"),
    ]

    operations = [
        migrations.AddField(
            model_name="task",
            name="version",
            field=models.PositiveIntegerField(default=1, editable=False, verbose_name="버전"),
        ),
    ]
