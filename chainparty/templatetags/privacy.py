"""`{% load privacy %}{{ person|phone_for:user }}`: a person's mobile number, in full for those
with a need to know and masked (138****1234) for everyone else (chainparty.privacy)."""

from django import template

from chainparty import privacy

register = template.Library()


@register.filter
def phone_for(person, viewer):
    return privacy.phone_for_viewer(viewer=viewer, person=person)


@register.filter
def contact_phone_for(obj, viewer):
    """The contact number typed on an object (a need's, an enterprise's), by its app's rule."""
    return privacy.contact_phone_for_viewer(viewer=viewer, obj=obj)


@register.simple_tag
def contact_phone_field(obj, viewer, field):
    """The same for a number kept in another field, e.g. a guide's:
    `{% contact_phone_field guide user "phone" as phone %}{{ phone|default:"—" }}`."""
    return privacy.contact_phone_for_viewer(viewer=viewer, obj=obj, field=field)
