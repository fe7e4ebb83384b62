"""An outside notification channel for tests: keeps what it sends in memory."""

from chainparty.notifications import Channel

SENT = []


class RecordingSmsChannel(Channel):
    identifier = "test-sms"
    verbose_name = "短信"

    def can_reach(self, user):
        return bool(user.mobile)

    def send(self, notification):
        SENT.append((notification.recipient.pk, notification.body))
