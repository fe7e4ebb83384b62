"""Signals that let apps above alliances react to organisational changes without alliances importing them."""

from django.dispatch import Signal

# Sent after the transaction that made `user` a Party secretary of `enterprise` commits, with
# enterprise_id and user_id: apps that keep things for an enterprise's secretaries (policy pushes)
# tell the newcomer what the enterprise already received.
enterprise_secretary_granted = Signal()
