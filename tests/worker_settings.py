"""Settings for the real Celery workers started by tests/chainparty/test_sweeps_worker.py.

The base settings on the test's PostgreSQL database and Redis (DATABASE_URL, REDIS_URL from the
environment), with everything the worker sends kept on the test's own queue, a slow outside channel
that writes down each step (tests/worker_channels.py), small batches, and claim timeouts of a few
seconds, so the work of a killed worker is taken up within the test rather than after 10 minutes.
"""

import datetime as dt
import os

from chainparty.settings.base import *  # noqa: F403

QUEUE = "chainparty-test-sweeps-worker"
CLAIM_TIMEOUT_SECONDS = 3

CELERY_TASK_DEFAULT_QUEUE = QUEUE
CELERY_BROKER_TRANSPORT_OPTIONS = {
    # The test gives its last worker a short one, so the tasks the killed workers held are redelivered.
    "visibility_timeout": int(os.environ.get("SWEEP_TEST_VISIBILITY_TIMEOUT", "3600")),
    "unacked_restore_interval": 1,
}
NOTIFICATION_CHANNELS = ["chainparty.notifications.InAppChannel", "tests.worker_channels.SlowChannel"]
NOTIFICATION_DELIVERY_BATCH = 3
NOTIFICATION_CLAIM_TIMEOUT = dt.timedelta(seconds=CLAIM_TIMEOUT_SECONDS)
DUE_ITEM_CLAIM_TIMEOUT = dt.timedelta(seconds=CLAIM_TIMEOUT_SECONDS)
DUE_ITEM_SWEEP_BATCH = 8
# A copy: the test process imports this module for its constants and keeps its own LOGGING.
LOGGING = {**LOGGING, "root": {**LOGGING["root"], "level": "WARNING"}}  # noqa: F405
