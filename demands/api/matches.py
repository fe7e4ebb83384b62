"""REST API for cooperations, using the same access helpers as the pages.

404 for what the caller may not see, 403 for what they may see but not record, 400 with Chinese
messages per field for bad input.
"""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets

from alliances.access import visible_alliances, visible_departments, visible_enterprises
from chainparty.api import DateField, IdField, NumericLookupMixin

from ..models import Cooperation
from ..permissions import matches as access
from ..selectors import matches as selectors
from ..services import matches as services
from .query import ListQuerySerializer, OrderingField


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
    alliance = IdField(required=False, help_text="联盟 id")
    date_from = DateField(required=False, help_text="合作日期不早于")
    date_to = DateField(required=False, help_text="合作日期不晚于")
    search = serializers.CharField(required=False, max_length=100, help_text="说明或双方企业名称中的关键词。")
    ordering = OrderingField(["date", "value_wan"])

    def validate(self, data):
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise serializers.ValidationError({"date_to": _("结束日期不能早于开始日期。")})
        return data


@extend_schema_view(list=extend_schema(parameters=[CooperationQuerySerializer]))
class CooperationViewSet(
    NumericLookupMixin,
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
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
