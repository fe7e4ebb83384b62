"""The monthly minutes workbook's page is reached from the region's meeting list: organisation staff
see 导出会议台账 there and it opens the export form; a leader, who sees the list but may not export,
is not offered a link that would answer 403."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

EXPORT_LINK = 'id="minutes-export"'


def test_region_list_links_the_minutes_export_for_those_who_may_export(client_for, personas):
    export = reverse("alliances:minutes_export")
    staff = client_for(personas.org_staff)
    page = staff.get(reverse("alliances:meeting_region_list")).content.decode()
    assert EXPORT_LINK in page and f'href="{export}"' in page
    assert staff.get(export).status_code == 200

    leader = client_for(personas.leader)
    page = leader.get(reverse("alliances:meeting_region_list"))
    assert page.status_code == 200 and EXPORT_LINK not in page.content.decode()
    assert leader.get(export).status_code == 403
