"""Who may read a person's mobile number in full (issue 10 §2.7, 个人信息保护).

A number is shown in full only to those with a need to know: the person themselves, platform
administrators, people of the person's own organisation (the same enterprise or department),
organisation staff of a region the person works in, and the counterpart on a need they share.
Everyone else sees it masked (138****1234). Pages use the `phone_for` filter
(`{% load privacy %}{{ person|phone_for:user }}`), serializers and lists `phones_for_viewer`;
nothing else prints `User.mobile`.

A contact number typed on an object rather than an account's (a need's 联系电话, an enterprise's)
follows a rule its app registers for the model (`contacts.register(Model, rule)`, `rule(viewer,
obj) -> bool`); pages print it with `{{ need|contact_phone_for:user }}`, serializers with
`contact_phone_for_viewer`. A model without a rule is always masked.

The rules that know about enterprises, regions and needs live in the apps above this one: each
registers a rule in its own `privacy.py` (discovered on first use, as audit_regions are). A rule
is `rule(viewer, person_ids) -> ids among person_ids whose numbers the viewer may read`, one or
two queries whatever the number of people.
"""

from collections.abc import Callable, Iterable

from django.utils.module_loading import autodiscover_modules
from rest_framework import serializers

from . import audit, roles

Rule = Callable[[object, list[int]], Iterable[int]]

_CACHE_ATTR = "_chainparty_phone_need_to_know"


class NeedToKnow:
    def __init__(self):
        self._rules: list[Rule] = []
        self._discovered = False

    def register(self, rule: Rule) -> Rule:
        if rule not in self._rules:
            self._rules.append(rule)
        return rule

    def rules(self) -> list[Rule]:
        if not self._discovered:
            self._discovered = True
            autodiscover_modules("privacy")
        return list(self._rules)

    def visible(self, viewer, person_ids: Iterable[int]) -> set[int]:
        """The ids among `person_ids` whose numbers `viewer` may read in full."""
        wanted = {pk for pk in person_ids if pk is not None}
        if viewer is None or not getattr(viewer, "is_authenticated", False) or not viewer.is_active or not wanted:
            return set()
        seen = {viewer.pk} & wanted
        if _is_platform_admin(viewer):
            return wanted
        for rule in self.rules():
            rest = sorted(wanted - seen)
            if not rest:
                break
            seen |= set(rule(viewer, rest)) & wanted
        return seen


need_to_know = NeedToKnow()


def _is_platform_admin(user) -> bool:
    return user.is_superuser or user.groups.filter(name=roles.PLATFORM_ADMIN_GROUP).exists()


def mask_phone(number: str) -> str:
    """138****1234 for a mobile; for any other number the same shape: the first three and the last
    four characters kept, what lies between starred. Too short to keep anything: all stars."""
    number = (number or "").strip()
    if not number:
        return ""
    if len(number) <= 7:
        return "*" * len(number)
    return number[:3] + "*" * (len(number) - 7) + number[-4:]


def remembered(viewer, key, compute):
    """`compute()`, worked out once per viewer object (one request) under `key`: what a rule needs
    to know about the viewer, so a list of rows costs no query per row."""
    cache = _known(viewer)
    if key not in cache:
        cache[key] = compute()
    return cache[key]


def _known(viewer) -> dict:
    cache = getattr(viewer, _CACHE_ATTR, None)
    if cache is None:
        cache = {}
        setattr(viewer, _CACHE_ATTR, cache)
    return cache


def phones_for_viewer(*, viewer, people) -> dict[int, str]:
    """{person id: their mobile, in full or masked} for `people` as `viewer` may read them. Decided
    for all of them at once, and remembered on the viewer object (one request)."""
    people = [person for person in people if person is not None]
    known = _known(viewer) if viewer is not None else {}
    unknown = [person.pk for person in people if person.pk not in known]
    if unknown:
        visible = need_to_know.visible(viewer, unknown)
        known.update({pk: pk in visible for pk in unknown})
    return {person.pk: person.mobile if known.get(person.pk) else mask_phone(person.mobile) for person in people}


def phone_for_viewer(*, viewer, person) -> str:
    """`person`'s mobile number as `viewer` may read it: in full or masked (138****1234)."""
    if person is None:
        return ""
    return phones_for_viewer(viewer=viewer, people=[person])[person.pk]


def may_read_phone(*, viewer, person) -> bool:
    return bool(person is not None and need_to_know.visible(viewer, [person.pk]))


# -- contact numbers typed on objects -------------------------------------------------------------------
class ContactRules:
    def __init__(self):
        self._rules: dict[type, Callable[[object, object], bool]] = {}

    def register(self, model, rule=None):
        """`contacts.register(Need, rule)`, or as a decorator `@contacts.register(Need)`."""
        if rule is None:
            return lambda function: self.register(model, function)
        self._rules[model] = rule
        return rule

    def may_read(self, viewer, obj) -> bool:
        need_to_know.rules()  # the apps' privacy modules register their contact rules too
        if viewer is None or not getattr(viewer, "is_authenticated", False) or not viewer.is_active:
            return False
        if _is_platform_admin(viewer):
            return True
        rule = self._rules.get(type(obj)._meta.concrete_model)
        return bool(rule is not None and rule(viewer, obj))


contacts = ContactRules()


def contact_phone_for_viewer(*, viewer, obj, field: str = "contact_phone") -> str:
    """The contact number on `obj` as `viewer` may read it: in full or masked."""
    number = getattr(obj, field, "") or ""
    if not number:
        return ""
    cache = _known(viewer) if viewer is not None else {}
    key = (type(obj)._meta.label, obj.pk)
    if key not in cache:
        cache[key] = contacts.may_read(viewer, obj)
    return number if cache[key] else mask_phone(number)


class ContactPhoneField(serializers.CharField):
    """The API's read-only form of an object's contact number, as the request's user may read it
    (a model's writable `contact_phone` stays a plain field on the serializers that write)."""

    def __init__(self, **kwargs):
        super().__init__(read_only=True, source="*", **kwargs)

    def to_representation(self, obj):
        # Some views build their serializers without a context: the request the audit middleware
        # bound is the same one.
        request = self.context.get("request") or audit.current_request()
        return contact_phone_for_viewer(viewer=getattr(request, "user", None), obj=obj)
