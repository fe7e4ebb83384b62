import django_filters
from rest_framework import serializers, viewsets

from chainparty import privacy
from chainparty.api import NumericLookupMixin
from chainparty.filters import IdFilter

from . import selectors
from .models import Alliance, Enterprise
from .permissions import alliance_get_for_user, enterprise_get_for_user


class EnterpriseSerializer(serializers.ModelSerializer):
    region = serializers.StringRelatedField()
    zone = serializers.StringRelatedField()
    has_party_org = serializers.BooleanField(read_only=True)
    contact_phone = privacy.ContactPhoneField()  # masked unless the reader has a need to know

    class Meta:
        model = Enterprise
        fields = [
            "id",
            "name",
            "credit_code",
            "industry",
            "size",
            "region",
            "zone",
            "address",
            "employees",
            "legal_representative",
            "contact_name",
            "contact_phone",
            "has_party_org",
        ]


class AllianceSerializer(serializers.ModelSerializer):
    region = serializers.StringRelatedField()
    lead_enterprise = serializers.StringRelatedField()
    member_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Alliance
        fields = [
            "id",
            "name",
            "chain",
            "kind",
            "region",
            "lead_enterprise",
            "founded_on",
            "meeting_cadence",
            "member_count",
        ]


class EnterpriseFilter(django_filters.FilterSet):
    zone = IdFilter(field_name="zone_id")
    region = IdFilter(field_name="region_id")
    industry = django_filters.CharFilter()
    size = django_filters.ChoiceFilter(choices=Enterprise.Size.choices)
    alliance = IdFilter(method="filter_alliance")
    has_party_org = django_filters.BooleanFilter()

    class Meta:
        model = Enterprise
        fields = ["zone", "region", "industry", "size", "alliance", "has_party_org"]

    def filter_alliance(self, queryset, name, value):
        return queryset.filter(memberships__alliance_id=value, memberships__left_on__isnull=True)


class EnterpriseViewSet(NumericLookupMixin, viewsets.ReadOnlyModelViewSet):
    """Enterprises the caller may see (their region, their alliances, or their own)."""

    serializer_class = EnterpriseSerializer
    filterset_class = EnterpriseFilter
    search_fields = ["name", "credit_code"]
    ordering_fields = ["name", "employees"]

    def get_queryset(self):
        return selectors.enterprise_list(user=self.request.user)

    def get_object(self):
        return enterprise_get_for_user(
            user=self.request.user, enterprise_id=self.kwargs["pk"], queryset=self.get_queryset()
        )


class AllianceViewSet(NumericLookupMixin, viewsets.ReadOnlyModelViewSet):
    """Chain Party committees and alliances the caller may see."""

    serializer_class = AllianceSerializer
    filterset_fields = ["region", "kind", "meeting_cadence"]
    search_fields = ["name", "chain"]
    ordering_fields = ["name", "founded_on"]

    def get_queryset(self):
        return selectors.alliance_list(user=self.request.user)

    def get_object(self):
        return alliance_get_for_user(
            user=self.request.user, alliance_id=self.kwargs["pk"], queryset=self.get_queryset()
        )


def register_api(router):
    router.register("alliances", AllianceViewSet, basename="alliance")
    router.register("enterprises", EnterpriseViewSet, basename="enterprise")
