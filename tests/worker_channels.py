"""A slow outside channel for the real-worker tests (tests/worker_settings.py)."""

import os
import time

from chainparty.notifications import Channel


def _record(line: str) -> None:
    with open(os.environ["SWEEP_TEST_CHANNEL_LOG"], "a", encoding="utf-8") as log:
        log.write(f"{line}\n")


class SlowChannel(Channel):
    """Think of WeCom: checking that a recipient can be reached is a directory lookup, made inside
    the sweep's delivery transaction (`notify_bulk`), and a send leaves at once but its answer takes
    a while. Each step is written down as it starts ("reach", "send") and a send again when its
    answer came ("sent"), so a test sees where the worker is, which messages left and which arrived."""

    identifier = "slow-test-channel"

    def can_reach(self, user):
        _record(f"reach {user.pk}")
        time.sleep(0.1)
        return True

    def send(self, notification):
        _record(f"send {notification.pk}")
        time.sleep(0.2)
        _record(f"sent {notification.pk}")
