"""Reads for one's own account pages."""

from chainparty.models import ApiToken


def tokens_of(*, user):
    return ApiToken.objects.filter(user=user).order_by("-created_at", "-id")
