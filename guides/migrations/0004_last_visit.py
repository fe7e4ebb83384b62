"""Each enterprise's last counted visit (not disputed), kept by the visits from now on
(guides.receivers, guides.services.last_visits), filled here from the visits there are: one
INSERT ... SELECT grouped by enterprise, which reads the visits once (the index
visit_enterprise_recent serves it); no index is added on the visits table."""

import django.db.models.deletion
from django.db import migrations, models

FILL = """
INSERT INTO guides_lastvisit (enterprise_id, visited_on)
SELECT enterprise_id, MAX(visited_on) FROM guides_visit WHERE confirmation <> 'disputed' GROUP BY enterprise_id
ON CONFLICT (enterprise_id) DO UPDATE SET visited_on = EXCLUDED.visited_on
"""


class Migration(migrations.Migration):
    dependencies = [
        ("alliances", "0006_meeting_schedules_and_reminders"),
        ("guides", "0003_visit_client_key_thumbnail"),
    ]

    operations = [
        migrations.CreateModel(
            name="LastVisit",
            fields=[
                (
                    "enterprise",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="guide_last_visit",
                        serialize=False,
                        to="alliances.enterprise",
                        verbose_name="企业",
                    ),
                ),
                ("visited_on", models.DateField(verbose_name="最近走访日期")),
            ],
            options={"verbose_name": "最近走访", "verbose_name_plural": "最近走访"},
        ),
        migrations.RunSQL(FILL, reverse_sql=migrations.RunSQL.noop),
    ]
