"""Settings for the Celery worker of the story 4 browser test (tests/browser/test_story_4_browser.py):
those of the real-worker sweep tests (tests/worker_settings.py: the test database, the test's own
queue) with the portal's in-app channel only and the usual batch size, since the story checks what a
person sees in the portal, not how an outside channel copes with a killed worker."""

from tests.worker_settings import *  # noqa: F403

NOTIFICATION_CHANNELS = ["chainparty.notifications.InAppChannel"]
DUE_ITEM_SWEEP_BATCH = 500
