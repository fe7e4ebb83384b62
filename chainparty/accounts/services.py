"""What a person changes about their own account. The change is recorded by `chainparty.receivers`
from the User model's signals."""

from django.db import transaction


@transaction.atomic
def profile_update(*, user, mobile: str, email: str, wecom_userid: str = ""):
    """What a person changes about themselves: how to reach them."""
    user.mobile, user.email, user.wecom_userid = mobile.strip(), email.strip(), wecom_userid.strip()
    user.full_clean()
    user.save(update_fields=["mobile", "email", "wecom_userid"])
    return user
