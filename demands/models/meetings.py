"""Needs and meetings: the needs discussed on a meeting's agenda item (难题会商). The other link, a
need filed from a meeting's decision, is `Need.decision`. Both live here, in `demands`, because
`alliances` (meetings) sits below and never imports this app."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .needs import Need

__all__ = ["AgendaNeed"]


class AgendaNeed(models.Model):
    """A need put on a meeting's agenda item for joint consultation. Written by
    `demands.services.meetings.agenda_link_needs`, which also records it on the need's timeline."""

    # Indexed by agenda_need_once (agenda_item first) and agenda_need_by_need (need first), not by
    # the implicit FK indexes, which would only duplicate them.
    agenda_item = models.ForeignKey(
        "alliances.AgendaItem",
        on_delete=models.CASCADE,
        related_name="need_links",
        verbose_name=_("会议议题"),
        db_index=False,
    )
    need = models.ForeignKey(
        Need, on_delete=models.PROTECT, related_name="agenda_links", verbose_name=_("需求"), db_index=False
    )
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("关联人"),
    )
    linked_at = models.DateTimeField(_("关联时间"), default=timezone.now)

    class Meta:
        verbose_name = _("会商需求")
        verbose_name_plural = _("会商需求")
        ordering = ["agenda_item", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["agenda_item", "need"],
                name="agenda_need_once",
                violation_error_message=_("该需求已列入这一议题。"),
            )
        ]
        # The need page lists its meetings: by need.
        indexes = [models.Index(fields=["need", "agenda_item"], name="agenda_need_by_need")]

    def __str__(self):
        return f"{self.agenda_item_id} · {self.need_id}"
