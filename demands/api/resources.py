"""REST API for resources, using the same access helpers as the pages.

404 for what the caller may not see, 403 for what they see but may not change, 409 when the
action does not fit the current state, 400 with Chinese messages per field for bad input.
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets

from alliances.models import Department, Enterprise, WorkZone
from chainparty.api import IdField, NumericLookupMixin, ScopedPrimaryKeyRelatedField

from ..models import Resource
from ..permissions import resources as access
from ..selectors import resources as selectors
from ..services import resources as services
from . import scopes
from .query import ListQuerySerializer, OrderingField


# -- resources ---------------------------------------------------------------------------
class ResourceSerializer(serializers.ModelSerializer):
    # Ids within the caller's reach (demands.api.scopes): one outside it reads as one that does not exist.
    enterprise = ScopedPrimaryKeyRelatedField(
        scope=scopes.resource_enterprises,
        model=Enterprise,
        required=False,
        allow_null=True,
        label=gettext_lazy("提供企业"),
    )
    department = ScopedPrimaryKeyRelatedField(
        scope=scopes.resource_departments,
        model=Department,
        required=False,
        allow_null=True,
        label=gettext_lazy("提供部门"),
    )
    zone = ScopedPrimaryKeyRelatedField(
        scope=scopes.resource_zones, model=WorkZone, required=False, allow_null=True, label=gettext_lazy("所在片区")
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
    zone = IdField(required=False, help_text="片区 id")
    enterprise = IdField(required=False, help_text="提供企业 id")
    department = IdField(required=False, help_text="提供部门 id")
    search = serializers.CharField(required=False, max_length=100, help_text="名称或说明中的关键词。")
    ordering = OrderingField(["updated_at", "valid_until", "title"])


@extend_schema_view(list=extend_schema(parameters=[ResourceQuerySerializer]))
class ResourceViewSet(
    NumericLookupMixin,
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
