"""Demo guides for load_demo. `load_people(org)` runs right after the organisational core and
before the needs, because guide_li files needs from visits (demands/demo): 李指导, a 红帆指导员
sent by the Wenshang development zone's Party working committee, assigned to the zone and to its
textile park since the textile committee was founded. Running it twice changes nothing.

(The full demo of issue 9 §4 — 69 instructors, teams, visits, evaluations — builds on this.)
"""

import datetime as dt

from .models import Assignment, Guide
from .services import assignment_create, guide_create

GUIDE_LI_SINCE = dt.date(2023, 9, 1)


def load_people(org, stdout=None) -> Guide:
    user = org.users["guide_li"]
    guide = Guide.objects.filter(user=user).first() or guide_create(
        actor=None,
        user=user,
        kind=Guide.Kind.RED_SAIL,
        zone=org.zones["ws_devzone"],
        rank=Guide.Rank.SECTION,
        position="开发区党工委组织部副部长",
        term_start=GUIDE_LI_SINCE,
    )
    for key in ("ws_devzone", "ws_textile_park"):
        zone = org.zones[key]
        if not Assignment.objects.filter(guide=guide, zone=zone).exists():
            assignment_create(
                actor=None,
                guide=guide,
                zone=zone,
                starts_on=GUIDE_LI_SINCE,
                cadence=Assignment.Cadence.MONTHLY,
                note="三包三联",
            )
    if stdout is not None:
        stdout.write(f"党建指导员：{guide.name}（{guide.kind_label}）")
    return guide
