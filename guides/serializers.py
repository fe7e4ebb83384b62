"""Shapes of the guides API (guides/api.py): what `/api/guides/`, `/api/teams/` and `/api/visits/`
return, and what their writes accept. Parsing only: every rule is the services' (guides/services),
whose Chinese messages come back through `chainparty.api.exception_handler`."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from alliances.models import Alliance, Department, Enterprise
from chainparty import privacy
from chainparty.api import ScopedPrimaryKeyRelatedField
from demands.models import Need

from . import api_scopes
from .models import Assignment, Guide, Team, TeamMember, Visit, VisitPerson, VisitPhoto


class GuideRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


# -- guides ---------------------------------------------------------------------------------------
class GuideListSerializer(serializers.ModelSerializer):
    kind = serializers.CharField(help_text="类别：" + "、".join(Guide.Kind.values))
    rank = serializers.CharField(help_text="职级：" + "、".join(Guide.Rank.values))
    kind_display = serializers.CharField(source="kind_label")
    rank_display = serializers.CharField(source="get_rank_display")
    region = GuideRefSerializer()
    department = GuideRefSerializer(allow_null=True, help_text="派出部门（与派出党工委二选一）")
    zone = GuideRefSerializer(allow_null=True, help_text="派出园区（片区）党工委")
    in_term = serializers.SerializerMethodField(help_text="今天是否在任期内")

    class Meta:
        model = Guide
        fields = [
            "id",
            "name",
            "kind",
            "kind_display",
            "rank",
            "rank_display",
            "position",
            "region",
            "department",
            "zone",
            "term_start",
            "term_end",
            "in_term",
            "studio_name",
            "studio_granted_on",
        ]

    def get_in_term(self, guide) -> bool:
        return guide.in_term(timezone.localdate())


class GuideAssignmentSerializer(serializers.ModelSerializer):
    target = serializers.CharField(help_text="联系对象类型：zone、enterprise 或 alliance")
    cadence = serializers.CharField(help_text="走访频次：monthly 或 quarterly")
    guide = GuideRefSerializer(allow_null=True)
    team = GuideRefSerializer(allow_null=True)
    target_display = serializers.CharField(source="target_label")
    target_object = GuideRefSerializer(help_text="联系对象：片区、企业或联盟")
    cadence_display = serializers.CharField(source="cadence_label")
    in_force = serializers.SerializerMethodField(help_text="今天是否有效")

    class Meta:
        model = Assignment
        fields = [
            "id",
            "guide",
            "team",
            "target",
            "target_display",
            "target_object",
            "cadence",
            "cadence_display",
            "starts_on",
            "ends_on",
            "in_force",
            "note",
        ]

    def get_in_force(self, assignment) -> bool:
        return assignment.in_force(timezone.localdate())


class TeamTermSerializer(serializers.ModelSerializer):
    role = serializers.CharField(help_text="leader（团长）或 member（成员）")
    team = GuideRefSerializer()
    role_display = serializers.CharField(source="role_label")

    class Meta:
        model = TeamMember
        fields = ["id", "team", "role", "role_display", "starts_on", "ends_on"]


class LoadSerializer(serializers.Serializer):
    enterprises = serializers.IntegerField(help_text="联系企业数")
    party_organizations = serializers.IntegerField(help_text="联系企业的党组织数")
    members = serializers.IntegerField(help_text="上述党组织的党员数（含预备党员）")


class GuidePhoneField(serializers.CharField):
    """The guide's phone as the caller may read it (chainparty.privacy; masked otherwise)."""

    def __init__(self, **kwargs):
        super().__init__(read_only=True, source="*", **kwargs)

    def to_representation(self, guide):
        request = self.context.get("request")
        return privacy.contact_phone_for_viewer(viewer=getattr(request, "user", None), obj=guide, field="phone")


class GuideDetailSerializer(GuideListSerializer):
    phone = GuidePhoneField(help_text="联系电话（无权查看时部分隐藏）")
    assignments = GuideAssignmentSerializer(many=True, help_text="本人的联系安排（含历史）")
    team_terms = TeamTermSerializer(many=True, help_text="所在指导组（含历史）")
    load = LoadSerializer(help_text="今天的工作量")

    class Meta(GuideListSerializer.Meta):
        fields = [*GuideListSerializer.Meta.fields, "phone", "note", "assignments", "team_terms", "load"]


# -- teams ----------------------------------------------------------------------------------------
class TeamListSerializer(serializers.ModelSerializer):
    kind = serializers.CharField(help_text="类别：" + "、".join(Team.Kind.values))
    kind_display = serializers.CharField(source="kind_label")
    region = GuideRefSerializer()
    department = GuideRefSerializer(allow_null=True, help_text="牵头部门")
    member_count = serializers.IntegerField(help_text="现有成员数（含团长）")

    class Meta:
        model = Team
        fields = [
            "id",
            "name",
            "kind",
            "kind_display",
            "region",
            "department",
            "formed_on",
            "disbanded_on",
            "member_count",
        ]


class TeamMemberSerializer(serializers.ModelSerializer):
    role = serializers.CharField(help_text="leader（团长）或 member（成员）")
    guide = GuideRefSerializer()
    role_display = serializers.CharField(source="role_label")

    class Meta:
        model = TeamMember
        fields = ["id", "guide", "role", "role_display", "starts_on", "ends_on"]


class TeamDetailSerializer(TeamListSerializer):
    members = TeamMemberSerializer(many=True, help_text="成员（团长在前，含已离开的）")
    assignments = GuideAssignmentSerializer(many=True, help_text="指导组的联系安排（含历史）")

    class Meta(TeamListSerializer.Meta):
        fields = [*TeamListSerializer.Meta.fields, "note", "members", "assignments"]


# -- visits ---------------------------------------------------------------------------------------
class VisitListSerializer(serializers.ModelSerializer):
    kind = serializers.CharField(help_text="走访类型：" + "、".join(Visit.Kind.values))
    confirmation = serializers.CharField(help_text="企业确认：pending、confirmed 或 disputed")
    enterprise = GuideRefSerializer()
    guide = GuideRefSerializer(allow_null=True, help_text="登记走访的指导员（主走访人）")
    team = GuideRefSerializer(allow_null=True)
    kind_display = serializers.CharField(source="kind_label")
    checklist = serializers.ListField(child=serializers.CharField(), help_text="工作内容（取值见 checklist 枚举）")
    checklist_display = serializers.ListField(child=serializers.CharField(), source="checklist_labels")
    confirmation_display = serializers.CharField(source="confirmation_label")

    class Meta:
        model = Visit
        fields = [
            "id",
            "enterprise",
            "visited_on",
            "kind",
            "kind_display",
            "guide",
            "team",
            "checklist",
            "checklist_display",
            "opinions_count",
            "confirmation",
            "confirmation_display",
            "logged_at",
        ]


class VisitPersonSerializer(serializers.ModelSerializer):
    guide = serializers.IntegerField(source="guide_id", allow_null=True)
    department = GuideRefSerializer(allow_null=True)

    class Meta:
        model = VisitPerson
        fields = ["person_name", "guide", "department"]


class VisitPhotoSerializer(serializers.ModelSerializer):
    class Meta:
        model = VisitPhoto
        fields = ["id", "name", "content_type", "size", "uploaded_at"]


class VisitNeedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    title = serializers.CharField()
    state = serializers.CharField()
    state_display = serializers.CharField(source="state_label")


class VisitDetailSerializer(VisitListSerializer):
    people = VisitPersonSerializer(many=True, help_text="走访人员（指导员与部门同行人员）")
    photos = VisitPhotoSerializer(many=True)
    needs = VisitNeedSerializer(many=True, help_text="本次走访提交的需求")
    can_confirm = serializers.BooleanField(help_text="调用者能否确认或对走访提出异议")
    can_edit = serializers.BooleanField(help_text="调用者能否上传照片、从走访提交需求")
    can_amend = serializers.BooleanField(help_text="调用者能否修改走访记录（登记人，企业确认或提出异议前）")
    logged_by = serializers.SerializerMethodField(help_text="登记人（与主走访指导员不同时为代为登记）")

    class Meta(VisitListSerializer.Meta):
        fields = [
            *VisitListSerializer.Meta.fields,
            "findings",
            "opinions",
            "confirmed_at",
            "dispute_reason",
            "people",
            "photos",
            "needs",
            "can_confirm",
            "can_edit",
            "can_amend",
            "logged_by",
        ]

    def get_logged_by(self, visit) -> str:
        return visit.logged_by.display_name if visit.logged_by_id else ""


# -- input ----------------------------------------------------------------------------------------
class GuideListQuerySerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Guide.Kind.choices, required=False)
    department = serializers.IntegerField(required=False, min_value=1, help_text="派出部门 id")
    zone = serializers.IntegerField(required=False, min_value=1, help_text="派出党工委（片区）id")
    team = serializers.IntegerField(required=False, min_value=1, help_text="现所在指导组 id")
    active = serializers.BooleanField(
        required=False, allow_null=True, default=None, help_text="true：今天在任期内；false：已不在任期内"
    )
    q = serializers.CharField(required=False, max_length=50, help_text="姓名")


class TeamListQuerySerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Team.Kind.choices, required=False)
    active = serializers.BooleanField(required=False, allow_null=True, default=None, help_text="true：未撤销的指导组")


class VisitListQuerySerializer(serializers.Serializer):
    enterprise = serializers.IntegerField(required=False, min_value=1)
    guide = serializers.IntegerField(required=False, min_value=1, help_text="参加走访的指导员 id")
    date_from = serializers.DateField(required=False, help_text="走访日期起（含）")
    date_to = serializers.DateField(required=False, help_text="走访日期止（含）")
    confirmation = serializers.ChoiceField(choices=Visit.Confirmation.choices, required=False)
    kind = serializers.ChoiceField(choices=Visit.Kind.choices, required=False)

    def validate(self, data):
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise serializers.ValidationError({"date_to": _("结束日期不能早于开始日期。")})
        return data


class StaffCompanionSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=50, help_text="同行部门人员姓名")
    department = ScopedPrimaryKeyRelatedField(
        scope=api_scopes.companion_departments, model=Department, required=False, allow_null=True, default=None
    )


class VisitCreateSerializer(serializers.Serializer):
    """A visit logged by the calling guide. `enterprise`, `companions` and `team` are looked up
    among what the caller may see; whether the guide served the enterprise on the day is the
    service's rule. Photos may come with it as multipart (`photos`, repeated) or later through
    `/api/visits/{id}/photos/`."""

    enterprise = serializers.PrimaryKeyRelatedField(queryset=Enterprise.objects.none())
    visited_on = serializers.DateField(required=False, help_text="走访日期，默认今天；不能晚于今天")
    # Checked against Visit.Kind by the service (full_clean), with its Chinese message.
    kind = serializers.CharField(
        required=False, default=Visit.Kind.VISIT, help_text="走访类型：" + "、".join(Visit.Kind.values)
    )
    checklist = serializers.ListField(
        child=serializers.ChoiceField(choices=Visit.Checklist.choices), required=False, default=list
    )
    findings = serializers.CharField(required=False, allow_blank=True, default="")
    opinions = serializers.CharField(required=False, allow_blank=True, default="")
    opinions_count = serializers.IntegerField(required=False, min_value=0, max_value=9999, default=0)
    # A guide of the caller's regions: whether they may go along that day is the service's rule.
    companions = ScopedPrimaryKeyRelatedField(
        scope=api_scopes.companion_guides,
        model=Guide,
        many=True,
        required=False,
        default=list,
        help_text="同行指导员 id",
    )
    staff = StaffCompanionSerializer(many=True, required=False, default=list, help_text="同行部门人员")
    guide = serializers.PrimaryKeyRelatedField(
        queryset=Guide.objects.none(),
        required=False,
        allow_null=True,
        default=None,
        help_text="代指导员登记时填写（本区域组织部工作人员，如指导员电话报告的走访）；默认调用者本人",
    )
    team = serializers.PrimaryKeyRelatedField(
        queryset=Team.objects.none(), required=False, allow_null=True, default=None, help_text="以指导组名义走访时填写"
    )
    photos = serializers.ListField(
        child=serializers.FileField(), required=False, default=list, help_text="现场照片（JPG、PNG，multipart）"
    )

    def __init__(self, *args, enterprises=None, guides=None, teams=None, **kwargs):
        super().__init__(*args, **kwargs)
        if enterprises is not None:
            self.fields["enterprise"].queryset = enterprises
        if guides is not None:
            self.fields["guide"].queryset = guides
        if teams is not None:
            self.fields["team"].queryset = teams


class VisitUpdateSerializer(serializers.Serializer):
    """A correction of a visit (PATCH, by whoever entered it while the enterprise has not
    answered): only the fields sent change. `companions` and `staff`, when sent, replace those
    listed."""

    visited_on = serializers.DateField(required=False, help_text="走访日期，不能晚于今天")
    kind = serializers.CharField(required=False, help_text="走访类型：" + "、".join(Visit.Kind.values))
    checklist = serializers.ListField(child=serializers.ChoiceField(choices=Visit.Checklist.choices), required=False)
    findings = serializers.CharField(required=False, allow_blank=True)
    opinions = serializers.CharField(required=False, allow_blank=True)
    opinions_count = serializers.IntegerField(required=False, min_value=0, max_value=9999)
    companions = ScopedPrimaryKeyRelatedField(
        scope=api_scopes.companion_guides, model=Guide, many=True, required=False, help_text="同行指导员 id（替换原有）"
    )
    staff = StaffCompanionSerializer(many=True, required=False, help_text="同行部门人员（替换原有）")


class VisitPhotosSerializer(serializers.Serializer):
    # At least one is the service's rule (its message comes back on `photos`).
    photos = serializers.ListField(
        child=serializers.FileField(), required=False, default=list, help_text="JPG、PNG，可多张"
    )


class VisitDisputeSerializer(serializers.Serializer):
    # Required and non-blank is the service's rule (its message comes back on `reason`).
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=1000)


class VisitNeedCreateSerializer(serializers.Serializer):
    """A need for the visited enterprise, filed from the visit (source 走访)."""

    category = serializers.ChoiceField(choices=Need.Category.choices)
    title = serializers.CharField(max_length=100)
    description = serializers.CharField(allow_blank=True, required=False, default="")
    urgency = serializers.ChoiceField(choices=Need.Urgency.choices, required=False, default=Need.Urgency.NORMAL)
    alliance = ScopedPrimaryKeyRelatedField(
        scope=api_scopes.need_alliances, model=Alliance, required=False, allow_null=True
    )
    contact_name = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")
    contact_phone = serializers.CharField(max_length=30, required=False, allow_blank=True, default="")
    funding_wan = serializers.DecimalField(max_digits=12, decimal_places=2, required=False, allow_null=True)
    land_mu = serializers.DecimalField(max_digits=10, decimal_places=2, required=False, allow_null=True)
    people = serializers.IntegerField(required=False, allow_null=True, min_value=0)


class NeedCreatedSerializer(VisitNeedSerializer):
    visit = serializers.IntegerField()
