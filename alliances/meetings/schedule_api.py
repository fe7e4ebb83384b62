"""`/api/schedules/`: the alliances' meeting schedules (会议计划) under the meetings' access rules:
whoever sees an alliance sees its schedules (404 otherwise); its managers (the schedule pages'
`alliances.meetings.schedule_views`: secretaries, deputies, liaisons, the region's staff) create one
(`POST`), edit it (`PATCH`: the whole series from today, or with `from_date` "this and following")
and end it (`POST /api/schedules/{id}/end/`); anyone else who sees it gets 403. Every write goes
through `alliances.meetings.schedules`, whose Chinese messages come back with a 400. List filters:
alliance, active. Kept apart from `alliances.meetings.api` so the meetings API module does not grow
past its size."""

from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from chainparty.api import IdField, NumericLookupMixin, ScopedPrimaryKeyRelatedField, StandardPagination

from ..models import Alliance, Enterprise, MeetingKind, MeetingSchedule, WorkZone
from . import api_scopes, schedules, selectors
from . import permissions as access
from .view_helpers import SCHEDULE_MANAGERS_ONLY, managed_alliance


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


class ScheduleSeriesSerializer(serializers.Serializer):
    """The fields of `schedules.EDITABLE`: what the series is and when and where it meets. Which
    combinations make sense (a weekday for a weekly rule, a place, a zone in the region) is the
    service's rule; its messages come back on the same fields."""

    # A CharField, as in the meetings API (one "kind" enum in the schema); the model checks the value.
    kind = serializers.CharField(help_text="会议类型：" + "、".join(MeetingKind.values))
    title = serializers.CharField(max_length=200)
    rule = serializers.ChoiceField(choices=MeetingSchedule.Rule.choices)
    ordinal = serializers.IntegerField(
        required=False, allow_null=True, default=None, min_value=1, help_text="“每月第 N 个工作日 / 星期几”的 N"
    )
    weekday = serializers.ChoiceField(
        choices=MeetingSchedule.Weekday.choices,
        required=False,
        allow_null=True,
        default=None,
        help_text="0=星期一 … 6=星期日",
    )
    start_time = serializers.TimeField()
    duration_minutes = serializers.IntegerField(required=False, default=120, min_value=1)
    # Ids outside the alliance's reach are answered as ids that do not exist (api_scopes).
    place_zone = ScopedPrimaryKeyRelatedField(
        scope=api_scopes.zones, model=WorkZone, required=False, allow_null=True, default=None
    )
    place_address = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    recorder = ScopedPrimaryKeyRelatedField(
        scope=api_scopes.accounts, model=get_user_model(), required=False, allow_null=True, default=None
    )
    recorder_name = serializers.CharField(required=False, allow_blank=True, default="", max_length=50)


class ScheduleCreateSerializer(ScheduleSeriesSerializer):
    alliance = serializers.IntegerField(min_value=1)
    starts_on = serializers.DateField()
    ends_on = serializers.DateField(required=False, allow_null=True, default=None, help_text="不填则长期有效")
    hosts = ScopedPrimaryKeyRelatedField(
        scope=api_scopes.member_enterprises,
        model=Enterprise,
        many=True,
        required=False,
        default=list,
        help_text="轮值承办企业，按顺序",
    )


class ScheduleUpdateSerializer(ScheduleSeriesSerializer):
    """Only the fields sent change (PATCH). With `from_date`, the series ends the day before and
    continues from it as a new schedule ("本次及以后"), which the response returns."""

    hosts = ScopedPrimaryKeyRelatedField(
        scope=api_scopes.member_enterprises,
        model=Enterprise,
        many=True,
        required=False,
        help_text="新的轮值承办顺序（不传则不变）",
    )
    from_date = serializers.DateField(required=False, help_text="生效日期：不填则从今天起修改整个计划")


class ScheduleEndSerializer(serializers.Serializer):
    ends_on = serializers.DateField(help_text="最后一次会议的日期上限；此后未开始的会议取消")
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)


SCHEDULE_ERRORS = {
    400: OpenApiResponse(description="输入有误（逐字段的中文提示）"),
    403: OpenApiResponse(description="可以查看但无权管理该联盟的会议计划"),
    404: OpenApiResponse(description="不存在或无权查看"),
}


class _AllianceRefSerializer(serializers.Serializer):
    alliance = IdField()


def _input(view, serializer_class, *, partial=False, alliance=None):
    """The validated input; `alliance` scopes the ids the fields may name (api_scopes)."""
    context = {**view.get_serializer_context(), "alliance": alliance}
    serializer = serializer_class(data=view.request.data, partial=partial, context=context)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def _alliance_id(request) -> int:
    """The `alliance` of a create request, read first: the other fields' ids are scoped to it."""
    data = request.data if hasattr(request.data, "get") else {}
    reference = _AllianceRefSerializer(data={"alliance": data.get("alliance")})
    reference.is_valid(raise_exception=True)
    return reference.validated_data["alliance"]


@extend_schema_view(
    list=extend_schema(parameters=[ScheduleListQuerySerializer], summary=gettext_lazy("会议计划列表（按权限范围）")),
    retrieve=extend_schema(
        responses={200: ScheduleSerializer, 404: OpenApiResponse(description="不存在或无权查看")},
        summary=gettext_lazy("会议计划：规则、时间、地点、轮值承办顺序"),
    ),
    create=extend_schema(
        request=ScheduleCreateSerializer,
        responses={201: ScheduleSerializer, **SCHEDULE_ERRORS},
        summary=gettext_lazy("新建会议计划（并生成近期的会议）"),
    ),
    partial_update=extend_schema(
        request=ScheduleUpdateSerializer,
        responses={200: ScheduleSerializer, **SCHEDULE_ERRORS},
        summary=gettext_lazy("修改会议计划（整个计划，或 from_date 起的本次及以后）"),
    ),
)
class ScheduleViewSet(NumericLookupMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """会议计划 of the alliances the caller sees, with their host rotation in order; their managers
    create, edit and end them."""

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

    def _respond(self, schedule, code=status.HTTP_200_OK):
        fresh = selectors.schedule_list(user=self.request.user).get(pk=schedule.pk)
        return Response(ScheduleSerializer(fresh).data, status=code)

    def _managed(self, pk) -> MeetingSchedule:
        return access.schedule_get_for_user(user=self.request.user, schedule_id=pk, action=access.MANAGE)

    def retrieve(self, request, pk=None):
        access.schedule_get_for_user(user=request.user, schedule_id=pk)
        return Response(ScheduleSerializer(selectors.schedule_list(user=request.user).get(pk=pk)).data)

    def create(self, request):
        alliance = managed_alliance(request, _alliance_id(request), message=SCHEDULE_MANAGERS_ONLY)
        data = _input(self, ScheduleCreateSerializer, alliance=alliance)
        data["alliance"] = alliance
        schedule = schedules.schedule_create(actor=request.user, **data)
        return self._respond(schedule, status.HTTP_201_CREATED)

    def partial_update(self, request, pk=None):
        schedule = self._managed(pk)
        changes = _input(self, ScheduleUpdateSerializer, partial=True, alliance=schedule.alliance)
        from_date = changes.pop("from_date", None)
        if from_date is not None:
            schedule = schedules.schedule_split(actor=request.user, schedule=schedule, from_date=from_date, **changes)
        else:
            schedule = schedules.schedule_update(actor=request.user, schedule=schedule, **changes)
        return self._respond(schedule)

    @extend_schema(
        request=ScheduleEndSerializer,
        responses={200: ScheduleSerializer, **SCHEDULE_ERRORS},
        summary=gettext_lazy("终止会议计划：此后未开始的会议取消，不再生成"),
    )
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        schedule = self._managed(pk)
        data = _input(self, ScheduleEndSerializer, alliance=schedule.alliance)
        schedule = schedules.schedule_end(actor=request.user, schedule=schedule, **data)
        return self._respond(schedule)


def register_api(router):
    router.register("schedules", ScheduleViewSet, basename="schedule")
    return router
