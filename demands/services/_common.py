"""What the resource, policy and match services share."""


def _save_new(instance):
    instance.full_clean()
    instance.save()
    return instance
