"""`/api/schedules/`: the alliances' meeting schedules (会议计划), read-only, under the meetings'
access rules: whoever sees an alliance sees its schedules (404 otherwise). List filters: alliance,
active. Writes stay on the pages (`alliances.meetings.schedule_views`) for now. Kept apart from
`alliances.meetings.api` so the meetings API module does not grow past its size."""

from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.response import Response

from chainparty.api import NumericLookupMixin, StandardPagination

from ..models import Alliance, MeetingSchedule
from . import permissions as access
from . import selectors


class RefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class ScheduleHostSerializer(serializers.Serializer):
    position = serializers.IntegerField(help_text="轮值顺序（1 起）")
    enterprise = RefSerializer()


class ScheduleSerializer(serializers.ModelSerializer):
    alliance = RefSerializer()
    kind = serializers.CharField()
    kind_display = serializers.CharField(source="get_kind_display")
    rule = serializers.CharField()
    rule_display = serializers.CharField(source="get_rule_display")
    weekday = serializers.IntegerField(allow_null=True, help_text="0=星期一 … 6=星期日")
    place_zone = RefSerializer(allow_null=True)
    recorder = serializers.IntegerField(source="recorder_id", allow_null=True)
    split_from = serializers.IntegerField(source="split_from_id", allow_null=True, help_text="“本次及以后”拆分前的计划")
    hosts = ScheduleHostSerializer(many=True, help_text="轮值承办企业，按顺序")

    class Meta:
        model = MeetingSchedule
        fields = [
            "id",
            "alliance",
            "kind",
            "kind_display",
            "title",
            "rule",
            "rule_display",
            "ordinal",
            "weekday",
            "start_time",
            "duration_minutes",
            "place_zone",
            "place_address",
            "recorder",
            "recorder_name",
            "starts_on",
            "ends_on",
            "active",
            "split_from",
            "hosts",
        ]


class ScheduleListQuerySerializer(serializers.Serializer):
    alliance = serializers.IntegerField(required=False, min_value=1)
    active = serializers.BooleanField(required=False, allow_null=True, default=None)


@extend_schema_view(
    list=extend_schema(parameters=[ScheduleListQuerySerializer], summary=gettext_lazy("会议计划列表（按权限范围）")),
    retrieve=extend_schema(
        responses={200: ScheduleSerializer, 404: OpenApiResponse(description="不存在或无权查看")},
        summary=gettext_lazy("会议计划：规则、时间、地点、轮值承办顺序"),
    ),
)
class ScheduleViewSet(NumericLookupMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """会议计划 of the alliances the caller sees, with their host rotation in order."""

    serializer_class = ScheduleSerializer
    pagination_class = StandardPagination
    filter_backends = []
    queryset = MeetingSchedule.objects.none()

    def get_queryset(self):
        query = ScheduleListQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        alliance = None
        if data.get("alliance"):
            alliance = Alliance.objects.filter(pk=data["alliance"]).first()
            if alliance is None:
                return MeetingSchedule.objects.none()
        return selectors.schedule_list(user=self.request.user, alliance=alliance, active=data.get("active"))

    def retrieve(self, request, pk=None):
        access.schedule_get_for_user(user=request.user, schedule_id=pk)
        return Response(ScheduleSerializer(selectors.schedule_list(user=request.user).get(pk=pk)).data)


def register_api(router):
    router.register("schedules", ScheduleViewSet, basename="schedule")
    return router
