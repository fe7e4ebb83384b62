"""Settings for `make bench`: production-like (DEBUG off, PostgreSQL, persistent connections, a real
Celery broker: kombu's filesystem transport) on a database of its own, with the benchmark's scratch
files under var/bench/."""

import os
from pathlib import Path

_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/chainparty_bench"

# A variable of its own: the bench drops and rebuilds its database, so it never follows the
# DATABASE_URL a developer exported for `make run`.
os.environ["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL") or DEFAULT_DATABASE_URL
# Media and the filesystem broker go to a folder of their own, so the bench never feeds a running
# worker: not the developer's, and not one on the Redis that REDIS_URL names (CI's, for instance).
os.environ.setdefault("CHAINPARTY_VAR_DIR", str(_ROOT / "var" / "bench"))
os.environ.pop("REDIS_URL", None)

from chainparty.settings.base import *  # noqa: E402, F403

DEBUG = False
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    # A page that fails is reported in the bench's table; its traceback would only bury it.
    "loggers": {"django.request": {"level": "CRITICAL"}, "kombu": {"level": "ERROR"}, "celery": {"level": "ERROR"}},
}
