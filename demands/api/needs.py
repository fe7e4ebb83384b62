"""`/api/needs/`: list (filtered, paginated with a capped count), create, retrieve with parts and
timeline, and `POST /api/needs/{id}/{action}/` for every workflow step.

Access through demands.permissions.needs (404 cannot see, 403 may see but not act); writes through
demands.services.workflow and filing. An impossible transition or a stale `version` answers HTTP 409.
"""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from alliances.models import Alliance, Department, Enterprise
from chainparty import privacy
from chainparty.api import DateField, IdField, NumericLookupMixin, ScopedPrimaryKeyRelatedField, StandardPagination

from ..models import Assignment, Need, NeedAttachment, NeedEvent, Resource
from ..permissions import needs as access
from ..selectors import needs as selectors
from ..services import filing, transitions, workflow
from . import scopes


# -- pagination ---------------------------------------------------------------------------------------
class NeedPagination(StandardPagination):
    """Counts at most 1,000 rows (`count_capped` says when there are more), so a province-wide
    list never counts hundreds of thousands of needs."""

    django_paginator_class = selectors.CappedPaginator

    def get_paginated_response(self, data):
        response = super().get_paginated_response(data)
        response.data["count_capped"] = self.page.paginator.count_is_capped
        return response

    def get_paginated_response_schema(self, schema):
        result = super().get_paginated_response_schema(schema)
        result["properties"]["count_capped"] = {
            "type": "boolean",
            "description": "true 表示结果超过 1000 条，count 只统计到 1001。",
        }
        return result


# -- output ---------------------------------------------------------------------------------------------
class NamedRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class NeedListSerializer(serializers.ModelSerializer):
    enterprise = NamedRefSerializer()
    alliance = NamedRefSerializer()
    category_display = serializers.CharField(source="category_label")
    urgency_display = serializers.CharField(source="urgency_label")
    state_display = serializers.CharField(source="state_label")
    is_overdue = serializers.BooleanField()
    overdue_workdays = serializers.IntegerField()
    lead_assignee = serializers.CharField(allow_null=True, default=None)

    class Meta:
        model = Need
        fields = [
            "id",
            "number",
            "title",
            "enterprise",
            "alliance",
            "category",
            "category_display",
            "urgency",
            "urgency_display",
            "state",
            "state_display",
            "deadline",
            "is_overdue",
            "overdue_workdays",
            "lead_assignee",
            "filed_at",
            "version",
        ]


class AssignmentSerializer(serializers.ModelSerializer):
    department = NamedRefSerializer(allow_null=True)
    provider_enterprise = NamedRefSerializer(allow_null=True)
    handler = serializers.CharField(source="handler.display_name", allow_null=True, default=None)
    answered_by = serializers.CharField(source="answered_by.display_name", allow_null=True, default=None)
    is_overdue = serializers.BooleanField()
    overdue_workdays = serializers.IntegerField()

    class Meta:
        model = Assignment
        fields = [
            "id",
            "role",
            "department",
            "provider_enterprise",
            "resource",
            "handler",
            "instruction",
            "state",
            "deadline",
            "is_overdue",
            "overdue_workdays",
            "escalation_level",
            "redo_count",
            "started_at",
            "answer",
            "answered_at",
            "answered_by",
            "people_solved",
            "funding_wan_solved",
            "land_mu_solved",
        ]


class EventSerializer(serializers.ModelSerializer):
    action_display = serializers.CharField(source="get_action_display")
    actor = serializers.CharField(source="actor_label")

    class Meta:
        model = NeedEvent
        fields = [
            "id",
            "action",
            "action_display",
            "actor",
            "from_state",
            "to_state",
            "note",
            "data",
            "assignment",
            "created_at",
        ]


class AttachmentSerializer(serializers.ModelSerializer):
    url = serializers.CharField(source="get_absolute_url")

    class Meta:
        model = NeedAttachment
        fields = ["id", "name", "kind", "size", "uploaded_at", "url"]


class NeedDetailSerializer(NeedListSerializer):
    source_display = serializers.CharField(source="get_source_display")
    filed_by = serializers.CharField(source="filed_by.display_name", allow_null=True, default=None)
    merged_into = serializers.CharField(source="merged_into.number", allow_null=True, default=None)
    assignments = AssignmentSerializer(many=True, source="detail_assignments")
    events = EventSerializer(many=True, source="detail_events")
    attachments = AttachmentSerializer(many=True, source="detail_attachments")
    allowed_actions = serializers.SerializerMethodField()
    contact_phone = privacy.ContactPhoneField()  # masked unless the reader has a need to know

    class Meta(NeedListSerializer.Meta):
        fields = [
            *NeedListSerializer.Meta.fields,
            "description",
            "source",
            "source_display",
            "funding_wan",
            "land_mu",
            "people",
            "funding_wan_solved",
            "land_mu_solved",
            "people_solved",
            "contact_name",
            "contact_phone",
            "filed_by",
            "accepted_at",
            "dispatched_at",
            "answered_at",
            "answered_on_time",
            "rating",
            "rating_comment",
            "rated_at",
            "redo_count",
            "reason",
            "merged_into",
            "closed_at",
            "assignments",
            "events",
            "attachments",
            "allowed_actions",
        ]

    def get_allowed_actions(self, need) -> list[str]:
        return sorted(transitions.allowed_actions(need))


def _detail(need):
    """The need with its parts, timeline and files, read by the same selector as the page."""
    detail = selectors.need_detail(need=need)
    need.lead_assignee = next((str(a.assignee) for a in detail["assignments"] if a.role == "lead"), None)
    need.detail_assignments = detail["assignments"]
    need.detail_events = detail["events"]
    need.detail_attachments = detail["attachments"]
    return NeedDetailSerializer(need).data


# -- input -----------------------------------------------------------------------------------------------
class NeedFilterQuerySerializer(serializers.Serializer):
    state = serializers.MultipleChoiceField(choices=Need.State.choices, required=False, help_text="可重复")
    category = serializers.ChoiceField(choices=Need.Category.choices, required=False)
    urgency = serializers.ChoiceField(choices=Need.Urgency.choices, required=False)
    alliance = IdField(required=False)
    department = IdField(required=False)
    enterprise = IdField(required=False)
    overdue = serializers.BooleanField(required=False, allow_null=True, default=None)
    filed_from = DateField(required=False)
    filed_to = DateField(required=False)
    q = serializers.CharField(required=False, max_length=50, help_text="编号或标题")
    box = serializers.ChoiceField(
        choices=[
            selectors.BOX_ALL,
            selectors.BOX_MINE,
            selectors.BOX_INCOMING,
            selectors.BOX_OVERDUE,
            selectors.BOX_CLOSEOUT,
        ],
        required=False,
        default=selectors.BOX_ALL,
    )

    def validate(self, data):
        if data.get("filed_from") and data.get("filed_to") and data["filed_from"] > data["filed_to"]:
            raise serializers.ValidationError({"filed_to": _("结束日期不能早于开始日期。")})
        return data

    def to_filters(self) -> selectors.NeedFilters:
        data = self.validated_data
        return selectors.NeedFilters(
            states=sorted(data.get("state") or []),
            category=data.get("category", ""),
            urgency=data.get("urgency", ""),
            alliance_id=data.get("alliance"),
            department_id=data.get("department"),
            enterprise_id=data.get("enterprise"),
            overdue=data.get("overdue"),
            filed_from=data.get("filed_from"),
            filed_to=data.get("filed_to"),
            search=data.get("q", ""),
        )


class NeedCreateSerializer(serializers.ModelSerializer):
    enterprise = serializers.PrimaryKeyRelatedField(queryset=Enterprise.objects.none())
    alliance = ScopedPrimaryKeyRelatedField(
        scope=scopes.filing_alliances, model=Alliance, required=False, allow_null=True
    )
    source = serializers.ChoiceField(choices=Need.Source.choices, required=False)
    contact_name = serializers.CharField(max_length=50, required=False, allow_blank=True)
    contact_phone = serializers.CharField(max_length=30, required=False, allow_blank=True)

    class Meta:
        model = Need
        fields = [
            "enterprise",
            "alliance",
            "category",
            "urgency",
            "source",
            "title",
            "description",
            "funding_wan",
            "land_mu",
            "people",
            "contact_name",
            "contact_phone",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            self.fields["enterprise"].queryset = access.enterprises_for_filing(request.user)


class VersionSerializer(serializers.Serializer):
    version = serializers.IntegerField(
        required=False, min_value=1, help_text="客户端看到的版本号；已变化时返回 409，避免覆盖他人的操作。"
    )


class NoteSerializer(VersionSerializer):
    note = serializers.CharField(required=False, allow_blank=True, default="")


class ReasonSerializer(VersionSerializer):
    reason = serializers.CharField()


class MergeSerializer(NoteSerializer):
    into = serializers.IntegerField(min_value=1, help_text="重复的、保留的那条需求的 id")


class DispatchSerializer(VersionSerializer):
    # Ids within the need's reach (the view puts the need in the context): no existence oracle.
    lead_department = ScopedPrimaryKeyRelatedField(scope=scopes.dispatch_departments, model=Department, required=False)
    lead_resource = ScopedPrimaryKeyRelatedField(scope=scopes.dispatch_resources, model=Resource, required=False)
    co_departments = ScopedPrimaryKeyRelatedField(
        scope=scopes.dispatch_departments, model=Department, many=True, required=False, default=list
    )
    lead_handler = ScopedPrimaryKeyRelatedField(scope=scopes.dispatch_handlers, model=get_user_model(), required=False)
    deadline = DateField(required=False, help_text="留空按工作日规则计算")
    instruction = serializers.CharField(required=False, allow_blank=True, default="")
    # "A lead department or a resource" is checked once, by workflow.need_dispatch; its
    # ValidationError answers 400 on the field through chainparty.api.exception_handler.


class PartSerializer(VersionSerializer):
    assignment = serializers.IntegerField(
        required=False, min_value=1, help_text="派单 id；您在该需求上只有一个派单时可省略"
    )


class AnswerSerializer(PartSerializer):
    answer = serializers.CharField()
    people_solved = serializers.IntegerField(required=False, allow_null=True, min_value=0)
    funding_wan_solved = serializers.DecimalField(
        max_digits=12, decimal_places=2, required=False, allow_null=True, min_value=0
    )
    land_mu_solved = serializers.DecimalField(
        max_digits=10, decimal_places=2, required=False, allow_null=True, min_value=0
    )


class RateSerializer(VersionSerializer):
    rating = serializers.ChoiceField(choices=Need.Rating.choices)
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class ResubmitSerializer(VersionSerializer):
    supplement = serializers.CharField()


class AttachSerializer(serializers.Serializer):
    # Only the request's shape: filing.need_attach checks each file's content (one check, with the pages').
    files = serializers.ListField(child=serializers.FileField(), min_length=1, max_length=filing.MAX_ATTACHMENTS)


ERRORS = {
    400: OpenApiResponse(description="输入有误（逐字段的中文提示）"),
    403: OpenApiResponse(description="可以查看但无权执行该操作"),
    404: OpenApiResponse(description="需求不存在或无权查看"),
    409: OpenApiResponse(
        response=inline_serializer(
            "NeedConflict", {"detail": serializers.CharField(), "code": serializers.CharField()}
        ),
        description="当前状态不允许该操作，或需求已被他人处理（version 已变化）",
    ),
}


def _action_schema(request, summary):
    return extend_schema(request=request, responses={200: NeedDetailSerializer, **ERRORS}, summary=summary)


# -- the viewset ------------------------------------------------------------------------------------------------
@extend_schema_view(
    list=extend_schema(parameters=[NeedFilterQuerySerializer], summary=gettext_lazy("需求列表（按权限范围）")),
    retrieve=extend_schema(responses={200: NeedDetailSerializer, 404: ERRORS[404]}, summary=gettext_lazy("需求详情")),
    create=extend_schema(
        request=NeedCreateSerializer,
        responses={201: NeedDetailSerializer, 400: ERRORS[400], 403: ERRORS[403]},
        summary=gettext_lazy("提交需求"),
    ),
)
class NeedViewSet(
    NumericLookupMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """需求清单. Each caller sees what their seats give them: an enterprise its own needs, a
    department what was dispatched to it, an alliance its needs, organisation staff their region."""

    serializer_class = NeedListSerializer
    pagination_class = NeedPagination
    filter_backends = []
    parser_classes = [JSONParser, FormParser, MultiPartParser]
    queryset = Need.objects.none()

    def get_queryset(self):
        query = NeedFilterQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        return selectors.need_list(
            user=self.request.user, filters=query.to_filters(), box=query.validated_data.get("box")
        )

    def _need(self, pk, role=access.VIEW):
        return access.need_get_for_user(user=self.request.user, need_id=pk, action=role)

    def _input(self, serializer_class, **context):
        serializer = serializer_class(data=self.request.data, context={**self.get_serializer_context(), **context})
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def _respond(self, need, code=status.HTTP_200_OK):
        fresh = access.need_get_for_user(
            user=self.request.user, need_id=need.pk, queryset=selectors.need_detail_queryset()
        )
        return Response(_detail(fresh), status=code)

    def retrieve(self, request, pk=None):
        need = access.need_get_for_user(user=request.user, need_id=pk, queryset=selectors.need_detail_queryset())
        return Response(_detail(need))

    def create(self, request):
        data = self._input(NeedCreateSerializer)
        need = filing.need_file(actor=request.user, **data)
        return self._respond(need, status.HTTP_201_CREATED)

    # -- the alliance ---------------------------------------------------------------------------
    @_action_schema(NoteSerializer, gettext_lazy("受理"))
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        need, data = self._need(pk, access.MANAGE), self._input(NoteSerializer)
        return self._respond(
            workflow.need_accept(need=need, actor=request.user, note=data["note"], expected_version=data.get("version"))
        )

    @_action_schema(ReasonSerializer, gettext_lazy("退回企业补充（暂停计时）"))
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_(self, request, pk=None):
        need, data = self._need(pk, access.MANAGE), self._input(ReasonSerializer)
        return self._respond(
            workflow.need_return(
                need=need, actor=request.user, reason=data["reason"], expected_version=data.get("version")
            )
        )

    @_action_schema(ReasonSerializer, gettext_lazy("不予受理"))
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        need, data = self._need(pk, access.MANAGE), self._input(ReasonSerializer)
        return self._respond(
            workflow.need_reject(
                need=need, actor=request.user, reason=data["reason"], expected_version=data.get("version")
            )
        )

    @_action_schema(MergeSerializer, gettext_lazy("合并为重复需求"))
    @action(detail=True, methods=["post"])
    def merge(self, request, pk=None):
        need, data = self._need(pk, access.MANAGE), self._input(MergeSerializer)
        into = self._need(data["into"])
        return self._respond(
            workflow.need_merge(
                need=need, actor=request.user, into=into, note=data["note"], expected_version=data.get("version")
            )
        )

    @_action_schema(DispatchSerializer, gettext_lazy("派单（牵头部门或成员资源，可加协办部门）"))
    @action(detail=True, methods=["post"], url_path="dispatch", url_name="dispatch")
    def dispatch_(self, request, pk=None):  # `dispatch` is APIView's own entry point
        need = self._need(pk, access.MANAGE)
        data = self._input(DispatchSerializer, need=need)
        handlers = {}
        if data.get("lead_handler") and data.get("lead_department"):
            handlers[data["lead_department"].pk] = data["lead_handler"]
        return self._respond(
            workflow.need_dispatch(
                need=need,
                actor=request.user,
                lead_department=data.get("lead_department"),
                lead_resource=data.get("lead_resource"),
                co_departments=data["co_departments"],
                handlers=handlers,
                deadline=data.get("deadline"),
                instruction=data["instruction"],
                expected_version=data.get("version"),
            )
        )

    @_action_schema(ReasonSerializer, gettext_lazy("退回牵头单位重新办理"))
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        need, data = self._need(pk, access.MANAGE), self._input(ReasonSerializer)
        return self._respond(
            workflow.need_reopen(
                need=need, actor=request.user, reason=data["reason"], expected_version=data.get("version")
            )
        )

    @_action_schema(NoteSerializer, gettext_lazy("销号"))
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        need, data = self._need(pk, access.MANAGE), self._input(NoteSerializer)
        return self._respond(
            workflow.need_close(need=need, actor=request.user, note=data["note"], expected_version=data.get("version"))
        )

    # -- the department or provider ---------------------------------------------------------------
    def _part(self, need, data):
        mine = [a for a in need.assignments.all() if access.can_handle_assignment(self.request.user, a)]
        if data.get("assignment"):
            part = next((a for a in need.assignments.all() if a.pk == data["assignment"]), None)
            if part is None:
                raise DjangoValidationError({"assignment": _("该派单不属于这条需求。")})
            return part
        if len(mine) == 1:
            return mine[0]
        if not mine:
            raise PermissionDenied(_("只有承办部门的办理人或资源提供企业可以执行此操作。"))
        raise DjangoValidationError({"assignment": _("您在该需求上有多个派单，请指明 assignment。")})

    @_action_schema(PartSerializer, gettext_lazy("开始办理（派单）"))
    @action(detail=True, methods=["post"])
    def start(self, request, pk=None):
        need, data = self._need(pk), self._input(PartSerializer)
        workflow.need_start(
            need=need, assignment=self._part(need, data), actor=request.user, expected_version=data.get("version")
        )
        return self._respond(need)

    @_action_schema(AnswerSerializer, gettext_lazy("答复（牵头单位答复即办结）"))
    @action(detail=True, methods=["post"])
    def answer(self, request, pk=None):
        need, data = self._need(pk), self._input(AnswerSerializer)
        return self._respond(
            workflow.need_answer(
                need=need,
                assignment=self._part(need, data),
                actor=request.user,
                answer=data["answer"],
                people_solved=data.get("people_solved"),
                funding_wan_solved=data.get("funding_wan_solved"),
                land_mu_solved=data.get("land_mu_solved"),
                expected_version=data.get("version"),
            )
        )

    # -- the enterprise -------------------------------------------------------------------------
    @_action_schema(RateSerializer, gettext_lazy("回访评价（不满意将退回重办）"))
    @action(detail=True, methods=["post"])
    def rate(self, request, pk=None):
        need, data = self._need(pk, access.OWN), self._input(RateSerializer)
        return self._respond(
            workflow.need_rate(
                need=need,
                actor=request.user,
                rating=data["rating"],
                comment=data["comment"],
                expected_version=data.get("version"),
            )
        )

    @_action_schema(ResubmitSerializer, gettext_lazy("补充材料后重新提交"))
    @action(detail=True, methods=["post"])
    def resubmit(self, request, pk=None):
        need, data = self._need(pk, access.OWN), self._input(ResubmitSerializer)
        return self._respond(
            workflow.need_resubmit(
                need=need, actor=request.user, supplement=data["supplement"], expected_version=data.get("version")
            )
        )

    @extend_schema(
        request={"multipart/form-data": AttachSerializer},
        responses={201: AttachmentSerializer(many=True), **ERRORS},
        summary=gettext_lazy("上传附件（PDF、JPG、PNG、DOCX、XLSX，单个不超过 20 MB）"),
    )
    # The files just stored, as a bare list (never paged): what the schema declares.
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, FormParser], pagination_class=None)
    def attachments(self, request, pk=None):
        need, data = self._need(pk), self._input(AttachSerializer)
        try:
            stored = filing.need_attach(need=need, actor=request.user, files=data["files"])
        except DjangoValidationError as error:
            # The service checks each file and names the pages' field; here the field is `files`.
            messages = getattr(error, "message_dict", {})
            if set(messages) == {"attachments"}:
                raise serializers.ValidationError({"files": messages["attachments"]}) from error
            raise
        return Response(AttachmentSerializer(stored, many=True).data, status=status.HTTP_201_CREATED)


def register(router):
    router.register("needs", NeedViewSet, basename="need")
    return router
