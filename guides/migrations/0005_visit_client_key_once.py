"""One visit per submission key of a person: a unique partial index on guides_visit built with
CREATE UNIQUE INDEX CONCURRENTLY on PostgreSQL (the visits table stays writable), alone in a
non-atomic migration so that a failed or cancelled build is simply run again."""

from django.db import migrations, models

from chainparty.migration_operations import AddConstraintConcurrently


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("guides", "0004_last_visit")]

    operations = [
        AddConstraintConcurrently(
            model_name="visit",
            constraint=models.UniqueConstraint(
                condition=models.Q(("client_key", ""), _negated=True),
                fields=("logged_by", "client_key"),
                name="visit_client_key_once",
                violation_error_message="该走访已经提交过。",
            ),
        ),
    ]
