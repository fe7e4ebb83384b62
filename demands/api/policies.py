"""REST API for policies, using the same access helpers as the pages.

404 for what the caller may not see, 403 for what they see but may not change, 409 when the
action does not fit the current state, 400 with Chinese messages per field for bad input.
"""

from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, extend_schema_view, inline_serializer
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from alliances.access import scope_for
from alliances.models import Alliance, Department, Region, WorkZone
from chainparty.api import IdField, NumericLookupMixin, ScopedPrimaryKeyRelatedField

from ..models import Policy
from ..permissions import policies as access
from ..selectors import policies as selectors
from ..services import policies as services
from . import scopes
from .query import ListQuerySerializer, OrderingField


# -- policies ----------------------------------------------------------------------------
class PolicySerializer(serializers.ModelSerializer):
    department_name = serializers.CharField(source="department.name", read_only=True)
    region = serializers.StringRelatedField()
    categories = serializers.ListField(child=serializers.CharField(), read_only=True)
    awareness_rate = serializers.FloatField(
        read_only=True, allow_null=True, help_text=gettext_lazy("知晓率（%）；尚未推送给任何企业（如草稿）时为 null。")
    )

    class Meta:
        model = Policy
        fields = [
            "id",
            "department",
            "department_name",
            "region",
            "title",
            "doc_number",
            "issuer",
            "categories",
            "summary",
            "valid_from",
            "valid_to",
            "state",
            "published_at",
            "delivered_count",
            "read_count",
            "awareness_rate",
        ]


class PolicyDetailSerializer(PolicySerializer):
    """Reading one policy, and the fields accepted when creating one (JSON or multipart with a PDF).

    It parses input only; the rules (validity dates, targets, the PDF's content) are the service's,
    whose ValidationError chainparty.api.exception_handler answers as 400 with messages per field."""

    # Ids within the caller's reach (demands.api.scopes): one outside it reads as one that does not exist.
    department = ScopedPrimaryKeyRelatedField(
        scope=scopes.policy_departments, model=Department, label=gettext_lazy("发布部门")
    )
    categories = serializers.ListField(
        child=serializers.ChoiceField(choices=Policy.Category.choices),
        allow_empty=False,
        label=gettext_lazy("政策类别"),
    )
    industries = serializers.ListField(
        child=serializers.CharField(max_length=50), required=False, label=gettext_lazy("适用行业")
    )
    # Plain strings, checked once by the model through the service (an enum here would clash with the
    # Enterprise schema's size enum).
    sizes = serializers.ListField(
        child=serializers.CharField(max_length=10),
        required=False,
        label=gettext_lazy("适用企业规模"),
        help_text=gettext_lazy("above（规上）或 below（规下）；留空表示不限。"),
    )
    target_regions = ScopedPrimaryKeyRelatedField(
        scope=scopes.policy_regions, model=Region, many=True, required=False, label=gettext_lazy("限定区域")
    )
    target_zones = ScopedPrimaryKeyRelatedField(
        scope=scopes.policy_zones, model=WorkZone, many=True, required=False, label=gettext_lazy("限定片区")
    )
    target_alliances = ScopedPrimaryKeyRelatedField(
        scope=scopes.policy_alliances, model=Alliance, many=True, required=False, label=gettext_lazy("限定联盟")
    )
    attachment = serializers.FileField(required=False, write_only=True, label=gettext_lazy("PDF 附件"))
    attachment_url = serializers.SerializerMethodField()

    class Meta(PolicySerializer.Meta):
        fields = [
            *PolicySerializer.Meta.fields,
            "body",
            "attachment",
            "attachment_url",
            "attachment_name",
            "industries",
            "sizes",
            "target_regions",
            "target_zones",
            "target_alliances",
            "contact",
        ]
        read_only_fields = ["state", "published_at", "delivered_count", "read_count", "attachment_name"]
        extra_kwargs = {"issuer": {"required": False}}

    def get_attachment_url(self, policy) -> str | None:
        return reverse("demands:policy_attachment", args=[policy.pk]) if policy.attachment else None


class PolicyQuerySerializer(ListQuerySerializer):
    category = serializers.ChoiceField(choices=Policy.Category.choices, required=False, label=gettext_lazy("政策类别"))
    department = IdField(required=False, help_text="发布部门 id")
    state = serializers.ChoiceField(choices=Policy.State.choices, required=False, label=gettext_lazy("状态"))
    search = serializers.CharField(required=False, max_length=100, help_text="名称、文号或摘要中的关键词。")
    ordering = OrderingField(["published_at", "title"])


@extend_schema_view(list=extend_schema(parameters=[PolicyQuerySerializer]))
class PolicyViewSet(
    NumericLookupMixin,
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """政策清单. Department handlers (and organisation staff) create drafts and publish; publishing
    pushes the policy to every enterprise it applies to; enterprise secretaries mark it read."""

    filter_backends = []
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_serializer_class(self):
        return PolicySerializer if self.action == "list" else PolicyDetailSerializer

    def get_queryset(self):
        if self.action != "list":
            return selectors.policy_list(user=self.request.user)
        query = PolicyQuerySerializer.parse(self.request)
        return query.order(selectors.policy_list(user=self.request.user, **query.selector_kwargs()))

    def _policy(self, action=access.VIEW):
        return access.policy_get_for_user(
            user=self.request.user,
            policy_id=self.kwargs["pk"],
            action=action,
            queryset=selectors.policy_detail_queryset(),
        )

    def get_object(self):
        return self._policy()

    def create(self, request, *args, **kwargs):
        access.require_policy_publisher(request.user)
        return super().create(request, *args, **kwargs)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        department = data.pop("department")
        if not access.policy_departments_for(self.request.user).filter(pk=department.pk).exists():
            raise PermissionDenied(_("只能以本人所在部门（或本区域部门）的名义录入政策。"))
        serializer.instance = services.policy_create(user=self.request.user, department=department, **data)

    @extend_schema(
        request=None,
        responses=inline_serializer(
            "PolicyPublishResult",
            {"new_deliveries": serializers.IntegerField(), "delivered_count": serializers.IntegerField()},
        ),
    )
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        """Publish (or publish again): pushes to targets that have not received it yet."""
        policy = self._policy(access.MANAGE)
        result = services.policy_publish(policy=policy, user=request.user)
        return Response({"new_deliveries": result.new_deliveries, "delivered_count": result.policy.delivered_count})

    @extend_schema(request=None, responses=inline_serializer("PolicyReadResult", {"read": serializers.IntegerField()}))
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        """Record that the caller's enterprise has read the policy (only the first reading counts)."""
        policy = self._policy()
        access.require_read_as_enterprise(request.user, policy)
        enterprise_ids = scope_for(request.user).enterprise_ids
        return Response(
            {"read": services.policy_mark_read(policy=policy, user=request.user, enterprise_ids=enterprise_ids)}
        )

    @extend_schema(
        responses=inline_serializer(
            "PolicyAwareness",
            {
                "alliance": serializers.IntegerField(),
                "name": serializers.CharField(),
                "delivered": serializers.IntegerField(),
                "read": serializers.IntegerField(),
                "rate": serializers.FloatField(),
            },
            many=True,
        )
    )
    # One row per alliance reached, never paged: the schema says a bare list, and so does the answer.
    @action(detail=True, methods=["get"], pagination_class=None)
    def awareness(self, request, pk=None):
        """知晓率 per alliance of the enterprises the policy reached."""
        policy = self._policy()
        rows = selectors.policy_awareness(policy=policy, user=request.user)
        return Response(
            [
                {"alliance": r.alliance_id, "name": r.name, "delivered": r.delivered, "read": r.read, "rate": r.rate}
                for r in rows
            ]
        )
