"""Organisation staff enter a visit on a guide's behalf (the guide reported it by phone, say): the
log-visit form of the phone pages, for that guide. The visit records who entered it; the guide is
told. Thin: guides.permissions decides (404 / 403), services.visit_log checks every rule."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from chainparty.forms_utils import add_service_errors

from .. import services
from ..forms_phone import VisitLogForm
from ..permissions import MANAGE, guide_get_for_user
from ..views_phone import ALREADY_LOGGED, NOTHING_SAVED


@login_required
def visit_log_for_guide(request, pk):
    guide = guide_get_for_user(user=request.user, guide_id=pk, action=MANAGE)
    form = VisitLogForm(request.POST or None, request.FILES or None, guide=guide)
    if request.method == "POST":
        if form.is_valid():
            try:
                with transaction.atomic():
                    visit = services.visit_log(actor=request.user, guide=guide, **form.service_kwargs())
            except services.VisitAlreadyLogged as already:
                messages.info(request, ALREADY_LOGGED)
                return redirect(already.visit)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("已代 %s 登记走访，已请企业党组织书记确认。") % guide.name)
                return redirect(visit)
        messages.error(request, NOTHING_SAVED)
    context = {"form": form, "guide": guide, "on_behalf": True}
    return render(request, "guides/phone/visit_log.html", context, status=400 if form.errors else 200)
