"""REST API for resources, policies and cooperations, using the same access helpers as the pages.

404 for what the caller may not see, 403 for what they see but may not change, 409 when the
action does not fit the current state, 400 with Chinese messages per field for bad input.

Lists are filtered by the same selectors as the pages: a query serializer per list parses the
query string (a bad value answers 400) and hands the values to the selector.
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

from alliances.access import scope_for, visible_alliances, visible_departments, visible_enterprises
from alliances.models import Alliance, Department, Enterprise, Region, WorkZone

from ..models.lists import Cooperation, Policy, Resource
from ..permissions import lists as access
from ..selectors import lists as selectors
from ..services import lists as services


# -- list query parameters ---------------------------------------------------------------
class OrderingField(serializers.CharField):
    """`ordering=title` or `ordering=-updated_at,title`: fields from `names`, `-` for descending."""

    default_error_messages = {
        "invalid_term": gettext_lazy("不能按“{term}”排序（可选：{choices}；前加 - 表示倒序）。"),
    }

    def __init__(self, names, **kwargs):
        self.names = tuple(names)
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", f"排序字段，可选 {'、'.join(self.names)}；前加 - 表示倒序，多个用逗号分隔。")
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        terms = [term.strip() for term in super().to_internal_value(data).split(",") if term.strip()]
        for term in terms:
            if term.removeprefix("-") not in self.names:
                self.fail("invalid_term", term=term, choices="、".join(self.names))
        return terms


class ListQuerySerializer(serializers.Serializer):
    """The query string of a list: the selector's filters, `search` (its `q`) and `ordering`.

    An empty parameter (`?category=`) counts as absent; `page` and `page_size` belong to the
    paginator and are ignored here. Subclasses declare the fields, named as the API documents them."""

    @classmethod
    def parse(cls, request):
        query = cls(data={key: value for key, value in request.query_params.items() if value.strip()})
        query.is_valid(raise_exception=True)
        return query

    def selector_kwargs(self) -> dict:
        data = dict(self.validated_data)
        data.pop("ordering", None)
        data["q"] = data.pop("search", "")
        return data

    def order(self, qs):
        terms = self.validated_data.get("ordering")
        return qs.order_by(*terms, "-id") if terms else qs


# -- resources ---------------------------------------------------------------------------
class ResourceSerializer(serializers.ModelSerializer):
    enterprise = serializers.PrimaryKeyRelatedField(
        queryset=Enterprise.objects.all(), required=False, allow_null=True, label=gettext_lazy("提供企业")
    )
    department = serializers.PrimaryKeyRelatedField(
        queryset=Department.objects.all(), required=False, allow_null=True, label=gettext_lazy("提供部门")
    )
    zone = serializers.PrimaryKeyRelatedField(
        queryset=WorkZone.objects.all(), required=False, allow_null=True, label=gettext_lazy("所在片区")
    )
    owner_name = serializers.SerializerMethodField()
    region = serializers.StringRelatedField()
    category_label = serializers.CharField(source="get_category_display", read_only=True)
    status = serializers.ChoiceField(
        choices=[
            (Resource.Status.ACTIVE, Resource.Status.ACTIVE.label),
            (Resource.Status.PAUSED, Resource.Status.PAUSED.label),
        ],
        required=False,
        label=gettext_lazy("状态"),
    )
    effective_status = serializers.CharField(read_only=True)

    class Meta:
        model = Resource
        fields = [
            "id",
            "enterprise",
            "department",
            "owner_name",
            "category",
            "category_label",
            "title",
            "description",
            "quantity",
            "zone",
            "region",
            "valid_until",
            "status",
            "effective_status",
            "contact",
            "created_at",
            "updated_at",
        ]

    def get_owner_name(self, resource) -> str:
        return str(resource.owner)

    def validate(self, data):
        if self.instance is None and bool(data.get("enterprise")) == bool(data.get("department")):
            raise serializers.ValidationError({"enterprise": _("请在提供企业和提供部门中选择且只选择一个。")})
        if self.instance is not None:
            for field in ("enterprise", "department"):
                if field in data and data[field] != getattr(self.instance, field):
                    raise serializers.ValidationError({field: _("资源的提供方不能修改。")})
                data.pop(field, None)
        return data


class ResourceQuerySerializer(ListQuerySerializer):
    category = serializers.ChoiceField(
        choices=Resource.Category.choices, required=False, label=gettext_lazy("资源类别")
    )
    status = serializers.ChoiceField(
        choices=Resource.Status.choices,
        required=False,
        label=gettext_lazy("状态"),
        help_text="expired 包含已过有效期的“有效”资源。",
    )
    zone = serializers.IntegerField(required=False, min_value=1, help_text="片区 id")
    enterprise = serializers.IntegerField(required=False, min_value=1, help_text="提供企业 id")
    department = serializers.IntegerField(required=False, min_value=1, help_text="提供部门 id")
    search = serializers.CharField(required=False, max_length=100, help_text="名称或说明中的关键词。")
    ordering = OrderingField(["updated_at", "valid_until", "title"])


@extend_schema_view(list=extend_schema(parameters=[ResourceQuerySerializer]))
class ResourceViewSet(
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """资源清单: what members offer. Owners (enterprise secretaries, department handlers) create and edit."""

    serializer_class = ResourceSerializer
    filter_backends = []

    def get_queryset(self):
        if self.action != "list":
            return selectors.resource_list(user=self.request.user)
        query = ResourceQuerySerializer.parse(self.request)
        return query.order(selectors.resource_list(user=self.request.user, **query.selector_kwargs()))

    def get_object(self):
        write = self.request.method not in ("GET", "HEAD", "OPTIONS")
        return access.resource_get_for_user(
            user=self.request.user,
            resource_id=self.kwargs["pk"],
            action=access.MANAGE if write else access.VIEW,
            queryset=self.get_queryset(),
        )

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        access.require_resource_owner(
            self.request.user, enterprise=data.get("enterprise"), department=data.get("department")
        )
        data.pop("status", None)
        serializer.instance = services.resource_create(user=self.request.user, **data)

    def perform_update(self, serializer):
        serializer.instance = services.resource_update(resource=serializer.instance, **serializer.validated_data)


# -- policies ----------------------------------------------------------------------------
class PolicySerializer(serializers.ModelSerializer):
    department_name = serializers.CharField(source="department.name", read_only=True)
    region = serializers.StringRelatedField()
    categories = serializers.ListField(child=serializers.CharField(), read_only=True)
    awareness_rate = serializers.FloatField(read_only=True)

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
    """Reading one policy, and the fields accepted when creating one (JSON or multipart with a PDF)."""

    department = serializers.PrimaryKeyRelatedField(queryset=Department.objects.all(), label=gettext_lazy("发布部门"))
    categories = serializers.ListField(
        child=serializers.ChoiceField(choices=Policy.Category.choices),
        allow_empty=False,
        label=gettext_lazy("政策类别"),
    )
    industries = serializers.ListField(
        child=serializers.CharField(max_length=50), required=False, label=gettext_lazy("适用行业")
    )
    # Plain strings, checked below: an enum here would clash with the Enterprise schema's size enum.
    sizes = serializers.ListField(
        child=serializers.CharField(max_length=10),
        required=False,
        label=gettext_lazy("适用企业规模"),
        help_text=gettext_lazy("above（规上）或 below（规下）；留空表示不限。"),
    )
    target_regions = serializers.PrimaryKeyRelatedField(
        queryset=Region.objects.all(), many=True, required=False, label=gettext_lazy("限定区域")
    )
    target_zones = serializers.PrimaryKeyRelatedField(
        queryset=WorkZone.objects.all(), many=True, required=False, label=gettext_lazy("限定片区")
    )
    target_alliances = serializers.PrimaryKeyRelatedField(
        queryset=Alliance.objects.all(), many=True, required=False, label=gettext_lazy("限定联盟")
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

    def validate_sizes(self, sizes):
        invalid = set(sizes) - set(Enterprise.Size.values)
        if invalid:
            raise serializers.ValidationError(_("企业规模无效：%s（可选 above、below）") % "、".join(sorted(invalid)))
        return sizes

    def validate(self, data):
        if data.get("valid_from") and data.get("valid_to") and data["valid_to"] < data["valid_from"]:
            raise serializers.ValidationError({"valid_to": _("有效期止不能早于有效期起。")})
        return data


class PolicyQuerySerializer(ListQuerySerializer):
    category = serializers.ChoiceField(choices=Policy.Category.choices, required=False, label=gettext_lazy("政策类别"))
    department = serializers.IntegerField(required=False, min_value=1, help_text="发布部门 id")
    state = serializers.ChoiceField(choices=Policy.State.choices, required=False, label=gettext_lazy("状态"))
    search = serializers.CharField(required=False, max_length=100, help_text="名称、文号或摘要中的关键词。")
    ordering = OrderingField(["published_at", "title"])


@extend_schema_view(list=extend_schema(parameters=[PolicyQuerySerializer]))
class PolicyViewSet(mixins.ListModelMixin, mixins.CreateModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
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
        if not access.can_read_as_enterprise(request.user, policy):
            raise PermissionDenied(_("只有收到该政策推送的企业党组织书记可以标记已读。"))
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
    @action(detail=True, methods=["get"])
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


# -- cooperations -----------------------------------------------------------------------
class CooperationSerializer(serializers.ModelSerializer):
    alliance_name = serializers.CharField(source="alliance.name", read_only=True)
    provider_name = serializers.SerializerMethodField()
    receiver_name = serializers.CharField(source="receiver_enterprise.name", read_only=True)
    recorded_by = serializers.StringRelatedField()

    class Meta:
        model = Cooperation
        fields = [
            "id",
            "alliance",
            "alliance_name",
            "need",
            "match",
            "provider_enterprise",
            "provider_department",
            "provider_name",
            "receiver_enterprise",
            "receiver_name",
            "description",
            "value_wan",
            "date",
            "recorded_by",
            "created_at",
        ]
        read_only_fields = ["need", "match"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None and "alliance" in self.fields:
            user = request.user
            self.fields["alliance"].queryset = visible_alliances(user)
            self.fields["provider_enterprise"].queryset = visible_enterprises(user)
            self.fields["receiver_enterprise"].queryset = visible_enterprises(user)
            self.fields["provider_department"].queryset = visible_departments(user)

    def get_provider_name(self, cooperation) -> str:
        return str(cooperation.provider)

    def validate(self, data):
        if bool(data.get("provider_enterprise")) == bool(data.get("provider_department")):
            raise serializers.ValidationError(
                {"provider_enterprise": _("请在提供方企业和提供方部门中选择且只选择一个。")}
            )
        return data


class CooperationQuerySerializer(ListQuerySerializer):
    alliance = serializers.IntegerField(required=False, min_value=1, help_text="联盟 id")
    date_from = serializers.DateField(required=False, help_text="合作日期不早于")
    date_to = serializers.DateField(required=False, help_text="合作日期不晚于")
    search = serializers.CharField(required=False, max_length=100, help_text="说明或双方企业名称中的关键词。")
    ordering = OrderingField(["date", "value_wan"])

    def validate(self, data):
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise serializers.ValidationError({"date_to": _("结束日期不能早于开始日期。")})
        return data


@extend_schema_view(list=extend_schema(parameters=[CooperationQuerySerializer]))
class CooperationViewSet(
    mixins.ListModelMixin, mixins.CreateModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """促成合作: recorded by alliance secretaries (or from a match both sides confirmed)."""

    serializer_class = CooperationSerializer
    filter_backends = []

    def get_queryset(self):
        if self.action != "list":
            return selectors.cooperation_list(user=self.request.user).select_related("recorded_by")
        query = CooperationQuerySerializer.parse(self.request)
        qs = selectors.cooperation_list(user=self.request.user, **query.selector_kwargs())
        return query.order(qs.select_related("recorded_by"))

    def get_object(self):
        return access.cooperation_get_for_user(
            user=self.request.user, cooperation_id=self.kwargs["pk"], queryset=self.get_queryset()
        )

    def create(self, request, *args, **kwargs):
        access.require_cooperation_recorder(request.user)
        return super().create(request, *args, **kwargs)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        access.require_cooperation_recorder(self.request.user, data["alliance"])
        serializer.instance = services.cooperation_record(user=self.request.user, **data)


def register(router):
    router.register("resources", ResourceViewSet, basename="resource")
    router.register("policies", PolicyViewSet, basename="policy")
    router.register("cooperations", CooperationViewSet, basename="cooperation")
    return router
