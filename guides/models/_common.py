from django.conf import settings
from django.db import models
from django.utils import timezone


def now():
    """Field default looked up at call time, so a frozen clock (tests, back-dated demo history) applies."""
    return timezone.now()


def today():
    return timezone.localdate()


def user_fk(verbose_name, related_name="+", **kwargs):
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name=related_name,
        verbose_name=verbose_name,
        **kwargs,
    )
