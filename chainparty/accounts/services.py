"""What a person changes about their own account. The change is recorded by `chainparty.receivers`
from the User model's signals."""

from django.db import transaction


@transaction.atomic
def profile_update(*, user, mobile: str, email: str):
    """What a person changes about themselves: how to reach them."""
    user.mobile, user.email = mobile.strip(), email.strip()
    user.full_clean()
    user.save(update_fields=["mobile", "email"])
    return user
