"""The security configuration page (issue 10 §2): for organisation staff and platform
administrators, who answer to the assessor; everyone else is refused (403)."""

from itertools import groupby

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from chainparty import security_checklist

from .permissions import require_org_staff


@login_required
def security_configuration(request):
    require_org_staff(request.user)
    items = security_checklist.checklist()
    sections = [(section, list(rows)) for section, rows in groupby(items, key=lambda item: item.section)]
    warnings = sum(item.status == security_checklist.WARN for item in items)
    return render(
        request, "chainparty/security.html", {"sections": sections, "warnings": warnings, "total": len(items)}
    )
