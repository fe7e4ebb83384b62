"""`/api/meetings/`, `/api/invitations/` and `/api/decisions/`: the meeting pages' reads and writes
for programs, under the same access rules.

- meetings: list (the meetings the caller may see; filters alliance, kind, state, month, q),
  retrieve (agenda, invitees and their answers, attendance with 应到/实到, decisions), create
  (schedule), `PATCH` (title, place, agenda before it starts) and
  `POST /api/meetings/{id}/{move,cancel,attendance,minutes,decisions}/`;
- invitations: the caller's own ("my meetings"), and `POST /api/invitations/{id}/answer/`;
- decisions: list (of the meetings the caller may see), retrieve, `POST /api/decisions/{id}/status/`.

Thin: serializers parse the request's shape, `alliances.meetings.permissions` decides (404 when the
caller may not see the object, 403 when they may see it but not act), `alliances.meetings.services`
writes and checks every rule, and its Chinese messages come back through
`chainparty.api.exception_handler` (400 for bad input, 409 for a state that does not allow the
action). A decision's linked records (the need filed from it, kept by `demands`) come from
`chainparty.links`, so nothing here imports `demands`.

Schedules (`MeetingSchedule`) are `/api/schedules/`, in `alliances.meetings.schedule_api`.
"""

import calendar
import datetime as dt
from functools import partial

from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from chainparty import links
from chainparty.api import IdField, NumericLookupMixin, ScopedPrimaryKeyRelatedField, StandardPagination

from ..models import Alliance, Decision, Department, Enterprise, Invitation, Meeting, MeetingKind, WorkZone
from ..permissions import alliance_get_for_user
from . import api_scopes, selectors, services
from . import permissions as access


# -- output ---------------------------------------------------------------------------------------
class MeetingRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class MeetingListSerializer(serializers.ModelSerializer):
    alliance = MeetingRefSerializer()
    kind = serializers.CharField()
    kind_display = serializers.CharField(source="get_kind_display")
    state = serializers.CharField()
    state_display = serializers.CharField(source="get_state_display")
    place = serializers.CharField()
    host_enterprise = MeetingRefSerializer(allow_null=True)
    expected_count = serializers.IntegerField(help_text="应到：受邀人数")
    attended_count = serializers.IntegerField(help_text="实到：出席或委托他人出席的人数")

    class Meta:
        model = Meeting
        fields = [
            "id",
            "alliance",
            "kind",
            "kind_display",
            "title",
            "starts_at",
            "ends_at",
            "place",
            "chair_name",
            "recorder_name",
            "host_enterprise",
            "state",
            "state_display",
            "moved_from",
            "version",
            "expected_count",
            "attended_count",
        ]


class AgendaItemOutSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    position = serializers.IntegerField()
    title = serializers.CharField()
    minutes = serializers.CharField()


class InvitationOutSerializer(serializers.ModelSerializer):
    source = serializers.CharField()
    source_display = serializers.CharField(source="get_source_display")
    user = serializers.IntegerField(source="user_id", allow_null=True)
    enterprise = MeetingRefSerializer(allow_null=True)
    department = MeetingRefSerializer(allow_null=True)
    answer = serializers.CharField()
    answer_display = serializers.CharField(source="get_answer_display")
    attendance = serializers.CharField()
    attendance_display = serializers.CharField(source="get_attendance_display")

    class Meta:
        model = Invitation
        fields = [
            "id",
            "person_name",
            "user",
            "source",
            "source_display",
            "enterprise",
            "department",
            "answer",
            "answer_display",
            "substitute_name",
            "leave_reason",
            "answered_at",
            "attendance",
            "attendance_display",
            "attendance_recorded_at",
        ]


class LinkedRecordSerializer(serializers.Serializer):
    kind = serializers.CharField()
    kind_label = serializers.CharField()
    id = serializers.IntegerField()
    label = serializers.CharField()
    title = serializers.CharField()
    state = serializers.CharField()
    state_label = serializers.CharField()
    done = serializers.BooleanField()
    url = serializers.CharField()


class DecisionOutSerializer(serializers.ModelSerializer):
    owner_kind = serializers.SerializerMethodField()
    owner_department = MeetingRefSerializer(allow_null=True)
    owner_enterprise = MeetingRefSerializer(allow_null=True)
    owner_user = serializers.IntegerField(source="owner_user_id", allow_null=True)
    status = serializers.CharField()
    status_display = serializers.CharField(source="get_status_display")
    is_overdue = serializers.BooleanField()
    linked = LinkedRecordSerializer(many=True, source="linked_records", help_text="由该事项转成的需求等")

    class Meta:
        model = Decision
        fields = [
            "id",
            "position",
            "text",
            "owner_kind",
            "owner_label",
            "owner_department",
            "owner_enterprise",
            "owner_user",
            "due_workdays",
            "due_date",
            "status",
            "status_display",
            "is_overdue",
            "done_at",
            "linked",
        ]

    def get_owner_kind(self, decision) -> str:
        if decision.owner_department_id:
            return "department"
        return "enterprise" if decision.owner_enterprise_id else "user"


class DecisionMeetingSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    starts_at = serializers.DateTimeField()


class DecisionListSerializer(DecisionOutSerializer):
    meeting = DecisionMeetingSerializer()
    alliance = MeetingRefSerializer(source="meeting.alliance")

    class Meta(DecisionOutSerializer.Meta):
        fields = ["meeting", "alliance", *DecisionOutSerializer.Meta.fields]


class AttendanceFiguresSerializer(serializers.Serializer):
    expected = serializers.IntegerField(help_text="应到")
    attended = serializers.IntegerField(help_text="实到")
    on_leave = serializers.IntegerField(help_text="请假")
    absent = serializers.IntegerField(help_text="缺席")


class MeetingDetailSerializer(MeetingListSerializer):
    place_zone = MeetingRefSerializer(allow_null=True)
    invited_departments = MeetingRefSerializer(many=True)
    agenda_items = AgendaItemOutSerializer(many=True)
    invitations = InvitationOutSerializer(many=True)
    attendance = AttendanceFiguresSerializer(source="attendance_figures")
    decisions = DecisionOutSerializer(many=True)
    can_manage = serializers.BooleanField(help_text="调用者能否管理该会议（调整、取消、登记出席、归档纪要）")
    my_invitation = serializers.IntegerField(allow_null=True, help_text="调用者本人的邀请 id（可答复），无则为 null")

    class Meta(MeetingListSerializer.Meta):
        fields = [
            *MeetingListSerializer.Meta.fields,
            "place_zone",
            "place_address",
            "invited_departments",
            "cancel_reason",
            "cancelled_at",
            "summary",
            "minutes_filed_at",
            "agenda_items",
            "invitations",
            "attendance",
            "decisions",
            "can_manage",
            "my_invitation",
        ]


def _detail(meeting: Meeting, user) -> dict:
    """The meeting with what the page shows: its figures, decisions' linked records, the caller's rights."""
    meeting.attendance_figures = selectors.attendance_figures(meeting)
    meeting.expected_count = meeting.attendance_figures["expected"]
    meeting.attended_count = meeting.attendance_figures["attended"]
    meeting.can_manage = access.can_manage_meeting(user, meeting)
    meeting.my_invitation = next((i.pk for i in meeting.invitations.all() if i.user_id == user.pk), None)
    links.attach(meeting.decisions.all())
    return MeetingDetailSerializer(meeting).data


# -- input ----------------------------------------------------------------------------------------
class MeetingListQuerySerializer(serializers.Serializer):
    alliance = serializers.IntegerField(required=False, min_value=1)
    kind = serializers.ChoiceField(choices=MeetingKind.choices, required=False)
    state = serializers.ChoiceField(choices=Meeting.State.choices, required=False)
    month = serializers.RegexField(
        # ASCII digits (`\d` takes full-width and Arabic-Indic ones) and a year the portal's dates
        # allow (chainparty.validators: 2000-2100); "0000-01" used to reach dt.date and answer 500.
        r"^(20[0-9]{2}|2100)-(0[1-9]|1[0-2])$",
        required=False,
        help_text="开始时间所在月份，如 2026-11",
        error_messages={"invalid": gettext_lazy("月份格式应为 YYYY-MM，如 2026-11。")},
    )
    q = serializers.CharField(required=False, max_length=50, help_text="会议名称或联盟名称")

    @classmethod
    def parse(cls, request):
        # An empty parameter (`?kind=`) counts as absent.
        query = cls(data={key: value for key, value in request.query_params.items() if value.strip()})
        query.is_valid(raise_exception=True)
        return query.validated_data


#: Ids the write serializers take, within the reach of the alliance the view puts in the context
#: (api_scopes): an id outside it is answered as one that does not exist. The services still check
#: the same reach (`alliances.meetings.services.reach`).
_ACCOUNT = partial(ScopedPrimaryKeyRelatedField, scope=api_scopes.accounts, model=get_user_model())
_MEMBER = partial(ScopedPrimaryKeyRelatedField, scope=api_scopes.member_enterprises, model=Enterprise)
_DEPARTMENT = partial(ScopedPrimaryKeyRelatedField, scope=api_scopes.departments, model=Department)
_ZONE = partial(ScopedPrimaryKeyRelatedField, scope=api_scopes.zones, model=WorkZone)


class MeetingCreateSerializer(serializers.Serializer):
    alliance = serializers.IntegerField(min_value=1)
    kind = serializers.CharField(help_text="会议类型：" + "、".join(MeetingKind.values))
    title = serializers.CharField(max_length=200)
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    place_zone = _ZONE(required=False, allow_null=True)
    place_address = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    chair = _ACCOUNT(required=False, allow_null=True)
    chair_name = serializers.CharField(required=False, allow_blank=True, default="", max_length=50)
    recorder = _ACCOUNT(required=False, allow_null=True)
    recorder_name = serializers.CharField(required=False, allow_blank=True, default="", max_length=50)
    host_enterprise = _MEMBER(required=False, allow_null=True)
    invited_departments = _DEPARTMENT(many=True, required=False, default=list)
    agenda = serializers.ListField(child=serializers.CharField(max_length=200), required=False, default=list)
    chosen_users = _ACCOUNT(many=True, required=False, default=list)
    chosen_names = serializers.ListField(child=serializers.CharField(max_length=50), required=False, default=list)


class MeetingMoveSerializer(serializers.Serializer):
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    version = serializers.IntegerField(
        required=False, min_value=1, help_text="客户端看到的版本号；已被他人调整时返回 409。"
    )


class AgendaEditSerializer(serializers.Serializer):
    id = serializers.IntegerField(required=False, allow_null=True, default=None, help_text="保留的议题 id；新议题不传")
    title = serializers.CharField(allow_blank=True, max_length=200)


class MeetingUpdateSerializer(serializers.Serializer):
    """Only the fields sent change. `agenda` is the whole agenda in its new order: items with an id
    are kept (with the text sent), items without one are added, items left out are removed."""

    title = serializers.CharField(required=False, allow_blank=True, max_length=200)
    place_zone = _ZONE(required=False, allow_null=True)
    place_address = serializers.CharField(required=False, allow_blank=True, max_length=200)
    agenda = AgendaEditSerializer(many=True, required=False, help_text="按新顺序排列的全部议题")


class MeetingCancelSerializer(serializers.Serializer):
    # Required and non-blank is the service's rule (its message comes back on `reason`).
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class AttendanceEntrySerializer(serializers.Serializer):
    invitation = serializers.IntegerField(min_value=1)
    attendance = serializers.CharField(help_text="出席情况：" + "、".join(Invitation.Attendance.values))


class MeetingAttendanceSerializer(serializers.Serializer):
    # Who may be recorded and with which values is checked by services.attendance_record.
    attendance = AttendanceEntrySerializer(many=True, allow_empty=True)


class MinutesEntrySerializer(serializers.Serializer):
    agenda_item = serializers.IntegerField(min_value=1)
    minutes = serializers.CharField(allow_blank=True)


class DecisionInSerializer(serializers.Serializer):
    """One decision: exactly one of department, enterprise or user owns it (the service checks)."""

    text = serializers.CharField(allow_blank=True)
    due_workdays = serializers.IntegerField(help_text="办理时限（工作日），自会议当日起算")
    department = _DEPARTMENT(required=False, allow_null=True, default=None)
    enterprise = _MEMBER(required=False, allow_null=True, default=None)
    user = _ACCOUNT(required=False, allow_null=True, default=None)
    owner_label = serializers.CharField(required=False, allow_blank=True, default="", max_length=100)


class MeetingMinutesSerializer(serializers.Serializer):
    summary = serializers.CharField(required=False, allow_blank=True, default="")
    minutes = MinutesEntrySerializer(many=True, required=False, default=list)
    decisions = DecisionInSerializer(many=True, required=False, default=list)


class InvitationAnswerSerializer(serializers.Serializer):
    answer = serializers.CharField(help_text="attend（参加）、substitute（委托他人）或 leave（请假）")
    substitute_name = serializers.CharField(required=False, allow_blank=True, default="", max_length=50)
    leave_reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)


class InvitationListQuerySerializer(serializers.Serializer):
    upcoming = serializers.BooleanField(required=False, default=False, help_text="只看未结束、未取消的会议")


class MeetingBriefSerializer(MeetingListSerializer):
    """A meeting as "my meetings" lists it (without the attendance counts)."""

    class Meta(MeetingListSerializer.Meta):
        fields = [f for f in MeetingListSerializer.Meta.fields if f not in ("expected_count", "attended_count")]


class MyInvitationSerializer(InvitationOutSerializer):
    meeting = MeetingBriefSerializer()

    class Meta(InvitationOutSerializer.Meta):
        fields = ["meeting", *InvitationOutSerializer.Meta.fields]


class DecisionListQuerySerializer(serializers.Serializer):
    meeting = serializers.IntegerField(required=False, min_value=1)
    alliance = serializers.IntegerField(required=False, min_value=1)
    status = serializers.ChoiceField(choices=Decision.Status.choices, required=False)
    overdue = serializers.BooleanField(required=False, allow_null=True, default=None, help_text="只看逾期未办结的")


class DecisionStatusSerializer(serializers.Serializer):
    status = serializers.CharField(help_text="open（办理中）、done（已完成）或 cancelled（已撤销）")


ERRORS = {
    400: OpenApiResponse(description="输入有误（逐字段的中文提示）"),
    403: OpenApiResponse(description="可以查看但无权执行该操作"),
    404: OpenApiResponse(description="不存在或无权查看"),
    409: OpenApiResponse(
        response=inline_serializer(
            "MeetingConflict", {"detail": serializers.CharField(), "code": serializers.CharField()}
        ),
        description="会议当前状态不允许该操作，或已被他人调整",
    ),
}


def _input(view, serializer_class, *, alliance=None):
    """The validated input; `alliance` scopes the ids the fields may name (api_scopes)."""
    context = {**view.get_serializer_context(), "alliance": alliance}
    serializer = serializer_class(data=view.request.data, context=context)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class _AllianceRefSerializer(serializers.Serializer):
    alliance = IdField()


def _alliance_id(request) -> int:
    """The `alliance` of a create request, read first: the other fields' ids are scoped to it."""
    data = request.data if hasattr(request.data, "get") else {}
    reference = _AllianceRefSerializer(data={"alliance": data.get("alliance")})
    reference.is_valid(raise_exception=True)
    return reference.validated_data["alliance"]


def _month_days(month: str) -> tuple[dt.date, dt.date]:
    year, number = (int(part) for part in month.split("-"))
    return dt.date(year, number, 1), dt.date(year, number, calendar.monthrange(year, number)[1])


# -- meetings ---------------------------------------------------------------------------------------
def _meeting_action(request_serializer, summary):
    return extend_schema(
        request=request_serializer, responses={200: MeetingDetailSerializer, **ERRORS}, summary=summary
    )


@extend_schema_view(
    list=extend_schema(parameters=[MeetingListQuerySerializer], summary=gettext_lazy("会议列表（按权限范围）")),
    retrieve=extend_schema(
        responses={200: MeetingDetailSerializer, 404: ERRORS[404]},
        summary=gettext_lazy("会议详情：议题、邀请与答复、出席（应到/实到）、纪要、议定事项"),
    ),
    create=extend_schema(
        request=MeetingCreateSerializer,
        responses={201: MeetingDetailSerializer, 400: ERRORS[400], 403: ERRORS[403], 404: ERRORS[404]},
        summary=gettext_lazy("安排会议（默认邀请班子成员、成员企业书记、邀请部门办理人）"),
    ),
)
class MeetingViewSet(
    NumericLookupMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """会议. Whoever sees an alliance sees its meetings, and every invitee sees the meeting they are
    invited to; the alliance's secretaries and liaisons and the region's staff manage them."""

    serializer_class = MeetingListSerializer
    pagination_class = StandardPagination
    filter_backends = []
    queryset = Meeting.objects.none()

    def get_queryset(self):
        query = MeetingListQuerySerializer.parse(self.request)
        date_from = date_to = None
        if query.get("month"):
            date_from, date_to = _month_days(query["month"])
        alliance = None
        if query.get("alliance"):
            alliance = Alliance.objects.filter(pk=query["alliance"]).first()
            if alliance is None:
                return Meeting.objects.none()
        return selectors.meeting_list(
            user=self.request.user,
            alliance=alliance,
            kind=query.get("kind", ""),
            state=query.get("state", ""),
            date_from=date_from,
            date_to=date_to,
            search=query.get("q", ""),
        )

    def _meeting(self, pk, role=access.VIEW) -> Meeting:
        return access.meeting_get_for_user(user=self.request.user, meeting_id=pk, action=role)

    def _respond(self, meeting, code=status.HTTP_200_OK):
        fresh = selectors.meeting_detail(user=self.request.user, meeting_id=meeting.pk)
        return Response(_detail(fresh, self.request.user), status=code)

    def retrieve(self, request, pk=None):
        return Response(_detail(selectors.meeting_detail(user=request.user, meeting_id=pk), request.user))

    def create(self, request):
        alliance = alliance_get_for_user(user=request.user, alliance_id=_alliance_id(request))
        data = {**_input(self, MeetingCreateSerializer, alliance=alliance), "alliance": alliance}
        meeting = services.meeting_schedule(actor=request.user, **data)
        return self._respond(meeting, status.HTTP_201_CREATED)

    @_meeting_action(MeetingMoveSerializer, gettext_lazy("调整会议时间"))
    @action(detail=True, methods=["post"])
    def move(self, request, pk=None):
        meeting = self._meeting(pk, access.MANAGE)
        data = _input(self, MeetingMoveSerializer, alliance=meeting.alliance)
        services.meeting_move(
            actor=request.user,
            meeting=meeting,
            starts_at=data["starts_at"],
            ends_at=data["ends_at"],
            expected_version=data.get("version"),
        )
        return self._respond(meeting)

    @_meeting_action(MeetingUpdateSerializer, gettext_lazy("修改会议名称、地点、议题（会议开始前）"))
    def partial_update(self, request, pk=None):
        meeting = self._meeting(pk, access.MANAGE)
        data = _input(self, MeetingUpdateSerializer, alliance=meeting.alliance)
        if "agenda" in data:
            data["agenda"] = [services.AgendaEdit(title=item["title"], id=item["id"]) for item in data["agenda"]]
        services.meeting_update(actor=request.user, meeting=meeting, **data)
        return self._respond(meeting)

    @_meeting_action(MeetingCancelSerializer, gettext_lazy("取消会议（须填写原因）"))
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        meeting = self._meeting(pk, access.MANAGE)
        data = _input(self, MeetingCancelSerializer, alliance=meeting.alliance)
        services.meeting_cancel(actor=request.user, meeting=meeting, reason=data["reason"])
        return self._respond(meeting)

    @_meeting_action(MeetingAttendanceSerializer, gettext_lazy("登记出席情况（会议开始后）"))
    @action(detail=True, methods=["post"])
    def attendance(self, request, pk=None):
        meeting = self._meeting(pk, access.MANAGE)
        data = _input(self, MeetingAttendanceSerializer, alliance=meeting.alliance)
        entries = {entry["invitation"]: entry["attendance"] for entry in data["attendance"]}
        services.attendance_record(actor=request.user, meeting=meeting, attendance=entries)
        return self._respond(meeting)

    @_meeting_action(MeetingMinutesSerializer, gettext_lazy("归档（或更正）会议纪要，可同时添加议定事项"))
    @action(detail=True, methods=["post"])
    def minutes(self, request, pk=None):
        meeting = self._meeting(pk, access.MANAGE)
        data = _input(self, MeetingMinutesSerializer, alliance=meeting.alliance)
        services.meeting_minutes_file(
            actor=request.user,
            meeting=meeting,
            minutes={entry["agenda_item"]: entry["minutes"] for entry in data["minutes"]},
            summary=data["summary"],
            decisions=[services.DecisionDraft(**decision) for decision in data["decisions"]],
        )
        return self._respond(meeting)

    @_meeting_action(DecisionInSerializer, gettext_lazy("添加一项议定事项"))
    @action(detail=True, methods=["post"])
    def decisions(self, request, pk=None):
        meeting = self._meeting(pk, access.MANAGE)
        data = _input(self, DecisionInSerializer, alliance=meeting.alliance)
        services.decision_add(
            actor=request.user,
            meeting=meeting,
            text=data["text"],
            due_workdays=data["due_workdays"],
            department=data["department"],
            enterprise=data["enterprise"],
            user=data["user"],
            owner_label=data["owner_label"],
        )
        return self._respond(meeting, status.HTTP_201_CREATED)


# -- invitations ------------------------------------------------------------------------------------
@extend_schema_view(
    list=extend_schema(parameters=[InvitationListQuerySerializer], summary=gettext_lazy("我的会议（我收到的邀请）")),
    retrieve=extend_schema(responses={200: MyInvitationSerializer, 404: ERRORS[404]}, summary=gettext_lazy("邀请")),
)
class InvitationViewSet(NumericLookupMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """参会邀请. The list is the caller's own invitations; any invitation of a meeting the caller
    sees can be read; only the invitee answers."""

    serializer_class = MyInvitationSerializer
    pagination_class = StandardPagination
    filter_backends = []
    queryset = Invitation.objects.none()

    def get_queryset(self):
        query = InvitationListQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        invitations = selectors.my_invitations(user=self.request.user, upcoming=query.validated_data["upcoming"])
        # The invitee's own enterprise or department, shown with each row.
        return invitations.select_related("enterprise", "department")

    def retrieve(self, request, pk=None):
        invitation = access.invitation_get_for_user(user=request.user, invitation_id=pk, action=access.VIEW)
        return Response(self._one(invitation))

    def _one(self, invitation):
        return MyInvitationSerializer(invitation).data

    @extend_schema(
        request=InvitationAnswerSerializer,
        responses={200: MyInvitationSerializer, **ERRORS},
        summary=gettext_lazy("答复邀请：参加、委托他人（填姓名）或请假（填原因）"),
    )
    @action(detail=True, methods=["post"])
    def answer(self, request, pk=None):
        invitation = access.invitation_get_for_user(user=request.user, invitation_id=pk, action=access.ANSWER)
        data = _input(self, InvitationAnswerSerializer)
        answered = services.invitation_answer(actor=request.user, invitation=invitation, **data)
        return Response(self._one(answered))


# -- decisions --------------------------------------------------------------------------------------
@extend_schema_view(
    list=extend_schema(parameters=[DecisionListQuerySerializer], summary=gettext_lazy("议定事项列表（按权限范围）")),
    retrieve=extend_schema(responses={200: DecisionListSerializer, 404: ERRORS[404]}, summary=gettext_lazy("议定事项")),
)
class DecisionViewSet(NumericLookupMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """议定事项 of the meetings the caller may see, with the records linked to each (a need filed
    from it, and that need's state); the meeting's managers change the status."""

    serializer_class = DecisionListSerializer
    pagination_class = StandardPagination
    filter_backends = []
    queryset = Decision.objects.none()

    def get_queryset(self):
        query = DecisionListQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        return selectors.decision_list(
            user=self.request.user,
            meeting_id=data.get("meeting"),
            alliance_id=data.get("alliance"),
            status=data.get("status", ""),
            overdue=data.get("overdue"),
        )

    def list(self, request):
        page = self.paginate_queryset(self.get_queryset())
        links.attach(page)
        return self.get_paginated_response(DecisionListSerializer(page, many=True).data)

    def _one(self, decision_id):
        decision = selectors.decision_list(user=self.request.user).get(pk=decision_id)
        links.attach([decision])
        return DecisionListSerializer(decision).data

    def retrieve(self, request, pk=None):
        decision = access.decision_get_for_user(user=request.user, decision_id=pk)
        return Response(self._one(decision.pk))

    @extend_schema(
        request=DecisionStatusSerializer,
        responses={200: DecisionListSerializer, **ERRORS},
        summary=gettext_lazy("更新议定事项状态"),
    )
    @action(detail=True, methods=["post"])
    def status(self, request, pk=None):
        decision = access.decision_get_for_user(user=request.user, decision_id=pk, action=access.MANAGE)
        data = _input(self, DecisionStatusSerializer)
        services.decision_update_status(actor=request.user, decision=decision, status=data["status"])
        return Response(self._one(decision.pk))


def register_api(router):
    router.register("meetings", MeetingViewSet, basename="meeting")
    router.register("invitations", InvitationViewSet, basename="invitation")
    router.register("decisions", DecisionViewSet, basename="decision")
    return router
