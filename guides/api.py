"""`/api/guides/`, `/api/teams/` and `/api/visits/` (issue 9 §4): the guides' pages for programs
(a phone app logs visits with a personal token: `Authorization: Bearer cp_…`).

- guides: list (filters kind, department, zone, team, active, q), retrieve (assignments, team
  terms and today's load);
- teams: list (kind, active), retrieve (members and assignments);
- visits: list (enterprise, guide, date range, confirmation, kind), retrieve, create (the calling
  guide logs a visit; photos as multipart with it or later through `POST /api/visits/{id}/photos/`),
  `POST /api/visits/{id}/confirm/` and `/dispute/` (the enterprise's Party secretary), and
  `POST /api/visits/{id}/needs/` (a need filed from the visit, source 走访).

Thin: serializers (guides/serializers.py) parse, `guides.permissions` decides (404 when the caller
may not see the object, 403 when they may see it but not act), `guides.services` writes and checks
every rule, and their Chinese messages come back through `chainparty.api.exception_handler`.
"""

from django.db.models import Count, Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from alliances.access import visible_enterprises
from chainparty.api import NumericLookupMixin, StandardPagination

from . import permissions as access
from . import services
from .models import Assignment, Guide, Team, TeamMember, Visit, VisitNeed, VisitPerson
from .reach import in_force_q
from .selectors import guide_load
from .serializers import (
    GuideDetailSerializer,
    GuideListQuerySerializer,
    GuideListSerializer,
    NeedCreatedSerializer,
    TeamDetailSerializer,
    TeamListQuerySerializer,
    TeamListSerializer,
    VisitCreateSerializer,
    VisitDetailSerializer,
    VisitDisputeSerializer,
    VisitListQuerySerializer,
    VisitListSerializer,
    VisitNeedCreateSerializer,
    VisitPhotoSerializer,
    VisitPhotosSerializer,
    VisitUpdateSerializer,
)

ERRORS = {
    400: OpenApiResponse(description="输入有误（逐字段的中文提示）"),
    403: OpenApiResponse(description="可以查看但无权执行该操作"),
    404: OpenApiResponse(description="不存在或无权查看"),
    409: OpenApiResponse(
        response=inline_serializer(
            "VisitConflict", {"detail": serializers.CharField(), "code": serializers.CharField()}
        ),
        description="走访记录当前状态不允许该操作",
    ),
}


def _query(serializer_class, request) -> dict:
    # An empty parameter (`?kind=`) counts as absent.
    query = serializer_class(data={key: value for key, value in request.query_params.items() if value.strip()})
    query.is_valid(raise_exception=True)
    return query.validated_data


def _input(view, serializer_class, *, extra_context=None, **kwargs) -> dict:
    context = {**view.get_serializer_context(), **(extra_context or {})}
    serializer = serializer_class(data=view.request.data, context=context, **kwargs)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def _assignments():
    return Assignment.objects.select_related("guide", "team", "zone", "enterprise", "alliance").order_by(
        "-starts_on", "-id"
    )


# -- guides -----------------------------------------------------------------------------------------
@extend_schema_view(
    list=extend_schema(parameters=[GuideListQuerySerializer], summary=gettext_lazy("指导员列表（按权限范围）")),
    retrieve=extend_schema(
        responses={200: GuideDetailSerializer, 404: ERRORS[404]},
        summary=gettext_lazy("指导员详情：联系安排、所在指导组、工作量"),
    ),
)
class GuideViewSet(NumericLookupMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """党建指导员. Organisation staff see their region's guides, a department's handlers those it
    sent, a guide themselves and their teammates, an enterprise's secretary those serving it."""

    serializer_class = GuideListSerializer
    pagination_class = StandardPagination
    filter_backends = []
    queryset = Guide.objects.none()

    def get_queryset(self):
        query = _query(GuideListQuerySerializer, self.request)
        today = timezone.localdate()
        guides = access.visible_guides(self.request.user).select_related("region", "department", "zone")
        if query.get("kind"):
            guides = guides.filter(kind=query["kind"])
        if query.get("department"):
            guides = guides.filter(department_id=query["department"])
        if query.get("zone"):
            guides = guides.filter(zone_id=query["zone"])
        if query.get("team"):
            terms = TeamMember.objects.filter(in_force_q(today), team_id=query["team"]).values("guide_id")
            guides = guides.filter(pk__in=terms)
        if query.get("active") is not None:
            in_term = Q(term_start__lte=today) & (Q(term_end__isnull=True) | Q(term_end__gte=today))
            guides = guides.filter(in_term) if query["active"] else guides.exclude(in_term)
        if query.get("q"):
            guides = guides.filter(name__icontains=query["q"])
        return guides.order_by("name", "pk")

    def retrieve(self, request, pk=None):
        guide = access.guide_get_for_user(
            user=request.user,
            guide_id=pk,
            queryset=Guide.objects.select_related("region", "department", "zone").prefetch_related(
                Prefetch("assignments", queryset=_assignments()),
                Prefetch(
                    "team_terms",
                    queryset=TeamMember.objects.select_related("team").order_by("-starts_on", "-id"),
                ),
            ),
        )
        guide.load = guide_load(guides=[guide])[guide.pk]
        return Response(GuideDetailSerializer(guide, context=self.get_serializer_context()).data)


# -- teams ------------------------------------------------------------------------------------------
@extend_schema_view(
    list=extend_schema(parameters=[TeamListQuerySerializer], summary=gettext_lazy("指导组列表（按权限范围）")),
    retrieve=extend_schema(
        responses={200: TeamDetailSerializer, 404: ERRORS[404]}, summary=gettext_lazy("指导组详情：成员与联系安排")
    ),
)
class TeamViewSet(NumericLookupMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """指导组（组团式）: a leader and members, assigned as a whole like a single guide."""

    serializer_class = TeamListSerializer
    pagination_class = StandardPagination
    filter_backends = []
    queryset = Team.objects.none()

    def _teams(self):
        today = timezone.localdate()
        current = Q(members__starts_on__lte=today) & (Q(members__ends_on__isnull=True) | Q(members__ends_on__gte=today))
        return Team.objects.select_related("region", "department").annotate(
            member_count=Count("members", filter=current)
        )

    def get_queryset(self):
        query = _query(TeamListQuerySerializer, self.request)
        teams = self._teams().filter(pk__in=access.visible_teams(self.request.user).values("pk"))
        if query.get("kind"):
            teams = teams.filter(kind=query["kind"])
        if query.get("active") is not None:
            disbanded = Q(disbanded_on__isnull=False, disbanded_on__lte=timezone.localdate())
            teams = teams.exclude(disbanded) if query["active"] else teams.filter(disbanded)
        return teams.order_by("name", "pk")

    def retrieve(self, request, pk=None):
        team = access.team_get_for_user(
            user=request.user,
            team_id=pk,
            queryset=self._teams().prefetch_related(
                Prefetch("members", queryset=TeamMember.objects.select_related("guide")),
                Prefetch("assignments", queryset=_assignments()),
            ),
        )
        return Response(TeamDetailSerializer(team).data)


# -- visits -----------------------------------------------------------------------------------------
def _visit_action(request_serializer, summary, code=200, response=VisitDetailSerializer):
    return extend_schema(request=request_serializer, responses={code: response, **ERRORS}, summary=summary)


@extend_schema_view(
    list=extend_schema(parameters=[VisitListQuerySerializer], summary=gettext_lazy("走访记录列表（按权限范围）")),
    retrieve=extend_schema(
        responses={200: VisitDetailSerializer, 404: ERRORS[404]},
        summary=gettext_lazy("走访记录详情：走访人员、照片、提交的需求、企业确认"),
    ),
    create=extend_schema(
        request={"application/json": VisitCreateSerializer, "multipart/form-data": VisitCreateSerializer},
        parameters=[
            OpenApiParameter(
                "Idempotency-Key",
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                description=(
                    "客户端为每次登记生成的唯一标识（不超过 64 个字符）；"
                    "重试同一请求时返回第一次登记的走访（200），不重复登记"
                ),
            )
        ],
        responses={
            201: VisitDetailSerializer,
            200: OpenApiResponse(VisitDetailSerializer, description="同一 Idempotency-Key 已登记过：返回原走访"),
            400: ERRORS[400],
            403: ERRORS[403],
        },
        summary=gettext_lazy("登记走访（指导员本人，或本区域组织部工作人员代为登记；可同时上传照片）"),
    ),
    partial_update=extend_schema(
        request=VisitUpdateSerializer,
        responses={200: VisitDetailSerializer, **ERRORS},
        summary=gettext_lazy("修改走访记录（登记人，企业确认或提出异议前）"),
    ),
)
class VisitViewSet(
    NumericLookupMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """走访记录. A guide sees the visits to the enterprises they serve and those they went on, an
    enterprise's secretary their enterprise's (and confirms or disputes them), a department's
    handlers its guides', organisation staff their region's."""

    serializer_class = VisitListSerializer
    pagination_class = StandardPagination
    filter_backends = []
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    queryset = Visit.objects.none()

    def get_queryset(self):
        query = _query(VisitListQuerySerializer, self.request)
        visits = access.visible_visits(self.request.user).select_related("enterprise", "guide", "team")
        if query.get("enterprise"):
            visits = visits.filter(enterprise_id=query["enterprise"])
        if query.get("guide"):
            visits = visits.filter(pk__in=VisitPerson.objects.filter(guide_id=query["guide"]).values("visit_id"))
        if query.get("date_from"):
            visits = visits.filter(visited_on__gte=query["date_from"])
        if query.get("date_to"):
            visits = visits.filter(visited_on__lte=query["date_to"])
        if query.get("confirmation"):
            visits = visits.filter(confirmation=query["confirmation"])
        if query.get("kind"):
            visits = visits.filter(kind=query["kind"])
        return visits.order_by("-visited_on", "-pk")

    def _detail(self, visit_id):
        visit = access.visit_get_for_user(
            user=self.request.user,
            visit_id=visit_id,
            queryset=Visit.objects.select_related(
                "region", "enterprise", "guide", "team", "logged_by"
            ).prefetch_related(
                Prefetch("people", queryset=VisitPerson.objects.select_related("department")),
                "photos",
                Prefetch("need_links", queryset=VisitNeed.objects.select_related("need").order_by("pk")),
            ),
        )
        visit.needs = [link.need for link in visit.need_links.all()]
        visit.can_confirm = access.can_confirm_visit(self.request.user, visit)
        visit.can_edit = access.can_edit_visit(self.request.user, visit)
        visit.can_amend = services.may_amend(self.request.user, visit)
        return VisitDetailSerializer(visit).data

    def retrieve(self, request, pk=None):
        return Response(self._detail(pk))

    def create(self, request):
        key = request.headers.get("Idempotency-Key", "")
        if not request.data.get("guide"):
            services.acting_guide(request.user)  # 403 for someone who is not a guide, before parsing
        data = _input(
            self,
            VisitCreateSerializer,
            enterprises=visible_enterprises(request.user),
            guides=access.visible_guides(request.user),
            teams=access.visible_teams(request.user),
        )
        try:
            visit = self._log(request, data, key)
        except services.VisitAlreadyLogged as already:
            # A retried POST: the first visit, as it is now, and nothing new saved.
            response = Response(self._detail(already.visit.pk), status=status.HTTP_200_OK)
            response["Idempotent-Replayed"] = "true"
            return response
        return Response(self._detail(visit.pk), status=status.HTTP_201_CREATED)

    def _log(self, request, data, key):
        return services.visit_log(
            actor=request.user,
            guide=data["guide"],
            client_key=key,
            enterprise=data["enterprise"],
            visited_on=data.get("visited_on"),
            kind=data["kind"],
            checklist=data["checklist"],
            findings=data["findings"],
            opinions=data["opinions"],
            opinions_count=data["opinions_count"],
            companions=data["companions"],
            staff=[(person["name"], person["department"]) for person in data["staff"]],
            photos=data["photos"],
            team=data["team"],
        )

    def partial_update(self, request, pk=None):
        visit = access.visit_get_for_user(user=request.user, visit_id=pk)
        data = _input(self, VisitUpdateSerializer)
        if "staff" in data:
            data["staff"] = [(person["name"], person["department"]) for person in data["staff"]]
        services.visit_update(actor=request.user, visit=visit, **data)
        return Response(self._detail(visit.pk))

    @_visit_action(
        {"multipart/form-data": VisitPhotosSerializer},
        gettext_lazy("上传走访照片（参加走访的指导员）"),
        code=201,
        response=VisitPhotoSerializer(many=True),
    )
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, FormParser], pagination_class=None)
    def photos(self, request, pk=None):
        visit = access.visit_get_for_user(user=request.user, visit_id=pk, action=access.EDIT)
        data = _input(self, VisitPhotosSerializer)
        photos = services.visit_add_photos(actor=request.user, visit=visit, files=data["photos"])
        return Response(VisitPhotoSerializer(photos, many=True).data, status=status.HTTP_201_CREATED)

    @_visit_action(None, gettext_lazy("确认走访属实（被走访企业的党组织书记）"))
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        visit = access.visit_get_for_user(user=request.user, visit_id=pk, action=access.CONFIRM)
        services.visit_confirm(actor=request.user, visit=visit)
        return Response(self._detail(visit.pk))

    @_visit_action(VisitDisputeSerializer, gettext_lazy("对走访记录提出异议（被走访企业的党组织书记，须说明理由）"))
    @action(detail=True, methods=["post"])
    def dispute(self, request, pk=None):
        visit = access.visit_get_for_user(user=request.user, visit_id=pk, action=access.CONFIRM)
        data = _input(self, VisitDisputeSerializer)
        services.visit_dispute(actor=request.user, visit=visit, reason=data["reason"])
        return Response(self._detail(visit.pk))

    @_visit_action(
        VisitNeedCreateSerializer,
        gettext_lazy("从走访记录提交需求（来源：走访；参加走访的指导员）"),
        code=201,
        response=NeedCreatedSerializer,
    )
    @action(detail=True, methods=["post"])
    def needs(self, request, pk=None):
        visit = access.visit_get_for_user(user=request.user, visit_id=pk, action=access.EDIT)
        data = _input(self, VisitNeedCreateSerializer, extra_context={"visit": visit})
        need = services.visit_raise_need(actor=request.user, visit=visit, **data)
        need.visit = visit.pk
        return Response(NeedCreatedSerializer(need).data, status=status.HTTP_201_CREATED)


def register_api(router):
    router.register("guides", GuideViewSet, basename="guide")
    router.register("teams", TeamViewSet, basename="team")
    router.register("visits", VisitViewSet, basename="visit")
    return router
