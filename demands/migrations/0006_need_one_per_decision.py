"""One need per meeting decision: a unique partial index on demands_need (decision_id), built with
CREATE UNIQUE INDEX CONCURRENTLY on PostgreSQL so filing and dispatching needs are never blocked
while it is built (a plain AddConstraint would lock the table's writes for the whole build).

It is also the index behind Need.decision (declared db_index=False): decision → need lookups and
the PROTECT check when a decision is deleted use it. Django's state gets the model's
UniqueConstraint, so `full_clean()` reports a second need for a decision with the constraint's
Chinese message, and makemigrations sees nothing to do.
"""

from django.db import migrations, models

from chainparty.migration_operations import AddConstraintConcurrently

INDEX = "need_one_per_decision"


class Migration(migrations.Migration):
    # CREATE INDEX CONCURRENTLY cannot run in a transaction.
    atomic = False

    dependencies = [("demands", "0005_meetings_links")]

    operations = [
        AddConstraintConcurrently(
            model_name="need",
            constraint=models.UniqueConstraint(
                condition=models.Q(("decision__isnull", False)),
                fields=("decision",),
                name=INDEX,
                violation_error_message="该议定事项已转为需求，不能重复转办。",
            ),
        ),
    ]
