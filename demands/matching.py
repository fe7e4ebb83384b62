"""Matching needs with resources and policies (供需对接), each suggestion with its reasons.

A pair scores up to 1.0 from four parts:

* category (0.40): the need's category maps to resource and policy categories with a weight
  (订单/市场 → 产能 1.0, 物流 0.4 …);
* chain and industry (0.20): the provider is a member of the need's alliance, or shares the
  enterprise's industry; for a policy, it targets the enterprise's industry or alliance;
* place (0.10): same zone, same county, or a region above it;
* text (0.30): similarity of the rjieba tokens of both texts.

Candidates are prefiltered in SQL (active, in date, mapped categories, the need's region or
alliance) on the indexes of demands.models.lists and capped, so a suggestion reads a few hundred
stored token strings and never segments them again.
"""

import math
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Q, prefetch_related_objects
from django.utils import timezone
from django.utils.translation import gettext as _

from alliances.models import Membership, Region

from .models.lists import Policy, PolicyCategory, Resource
from .permissions.lists import resource_active_q
from .text import similarity, token_set, tokenize

CATEGORY_WEIGHT = 0.40
CHAIN_WEIGHT = 0.20
PLACE_WEIGHT = 0.10
TEXT_WEIGHT = 0.30
CANDIDATE_CAP = 300
_POLICY_PREFETCH = ("category_rows", "target_regions", "target_zones", "target_alliances")
NEED_CANDIDATE_CAP = 200

RC = Resource.Category
PC = Policy.Category

# Need category (the needs' `Need.Category` values) → resource categories, with how well they serve it.
RESOURCE_CATEGORIES_FOR_NEED = {
    "labor": {RC.TRAINING: 1.0, RC.OTHER: 0.3},
    "financing": {RC.FUNDING: 1.0},
    "land": {RC.SPACE: 1.0},
    "technology": {RC.TECHNOLOGY: 1.0, RC.EQUIPMENT: 0.7, RC.TRAINING: 0.4},
    "market": {RC.CAPACITY: 1.0, RC.ORDER: 1.0, RC.EQUIPMENT: 0.5, RC.LOGISTICS: 0.4},
    "logistics": {RC.LOGISTICS: 1.0, RC.SPACE: 0.4},
    "policy": {},
    "approval": {},
    "safety": {RC.TECHNOLOGY: 0.6, RC.EQUIPMENT: 0.6, RC.TRAINING: 0.5},
    "other": {category: 0.3 for category in RC.values},
}

POLICY_CATEGORIES_FOR_NEED = {
    "labor": {PC.TALENT: 1.0, PC.INDUSTRY: 0.3},
    "financing": {PC.FINANCE: 1.0, PC.TAX: 0.5, PC.INDUSTRY: 0.5},
    "land": {PC.LAND: 1.0, PC.INDUSTRY: 0.3},
    "technology": {PC.TECHNOLOGY: 1.0, PC.INDUSTRY: 0.5},
    "market": {PC.MARKET: 1.0, PC.INDUSTRY: 0.4, PC.LOGISTICS: 0.3},
    "logistics": {PC.LOGISTICS: 1.0},
    "policy": {category: 0.6 for category in PC.values},
    "approval": {PC.APPROVAL: 1.0},
    "safety": {PC.ENVIRONMENT: 1.0},
    "other": {category: 0.3 for category in PC.values},
}


@dataclass(frozen=True)
class Suggestion:
    kind: str  # "resource" or "policy"
    object: object
    score: float
    reasons: list = field(default_factory=list)


@dataclass(frozen=True)
class _NeedProfile:
    """What matching needs to know about a need, read once."""

    need: object
    category: str
    category_label: str
    tokens: frozenset
    enterprise_id: int
    industry: str
    size: str
    zone_id: int | None
    zone_name: str
    region_id: int
    region_name: str
    region_ids: tuple  # the need's region and every region above it
    alliance_id: int | None
    chain: str


def region_ancestor_ids(region) -> tuple:
    return tuple(int(part) for part in region.path.strip("/").split("/") if part)


def _profile(need) -> _NeedProfile:
    enterprise = need.enterprise
    region = need.region
    alliance = need.alliance
    return _NeedProfile(
        need=need,
        category=need.category,
        category_label=need.get_category_display(),
        tokens=frozenset(tokenize(need.title, need.description)),
        enterprise_id=enterprise.pk,
        industry=enterprise.industry,
        size=enterprise.size,
        zone_id=enterprise.zone_id,
        zone_name=enterprise.zone.name if enterprise.zone_id else "",
        region_id=region.pk,
        region_name=region.name,
        region_ids=region_ancestor_ids(region),
        alliance_id=alliance.pk if alliance is not None else None,
        chain=alliance.chain if alliance is not None else "",
    )


def _text_part(profile, tokens):
    score, shared = similarity(profile.tokens, tokens)
    if not shared:
        return 0.0, []
    # sqrt spreads the small cosines of a short title against a long description.
    return TEXT_WEIGHT * min(1.0, math.sqrt(score)), [_("关键词：%s") % "、".join(shared[:4])]


def _place_part(profile, *, zone_id, region_id, region_name, same_region=None):
    if profile.zone_id and zone_id == profile.zone_id:
        return PLACE_WEIGHT, [_("同一片区：%s") % profile.zone_name]
    if region_id == profile.region_id:
        return PLACE_WEIGHT * 0.8, [(same_region or _("同一区域：%s")) % profile.region_name]
    if region_id in profile.region_ids:
        return PLACE_WEIGHT * 0.5, [_("覆盖区域：%s") % region_name]
    return 0.0, []


def _score_resource(profile, resource, *, in_alliance) -> Suggestion:
    score, reasons = 0.0, []
    weight = RESOURCE_CATEGORIES_FOR_NEED.get(profile.category, {}).get(resource.category, 0.0)
    if weight:
        score += CATEGORY_WEIGHT * weight
        reasons.append(_("类别匹配：%(need)s → %(offer)s") % {"need": profile.category_label, "offer": resource.get_category_display()})
    if in_alliance and profile.chain:
        score += CHAIN_WEIGHT
        reasons.append(_("同属%s产业链") % profile.chain)
    elif resource.enterprise_id and resource.enterprise.industry == profile.industry:
        score += CHAIN_WEIGHT * 0.75
        reasons.append(_("同属%s行业") % profile.industry)
    part, why = _place_part(
        profile, zone_id=resource.zone_id, region_id=resource.region_id, region_name=resource.region.name
    )
    score += part
    reasons += why
    part, why = _text_part(profile, token_set(resource.tokens))
    score += part
    reasons += why
    return Suggestion(kind="resource", object=resource, score=round(min(score, 1.0), 4), reasons=reasons)


def _policy_applies(profile, policy, member_alliance_ids) -> bool:
    """Every criterion the policy sets holds for the need's enterprise (as in policy_targets)."""
    if policy.industries and profile.industry not in policy.industries:
        return False
    if policy.sizes and profile.size not in policy.sizes:
        return False
    regions = policy.target_regions.all()
    zones = policy.target_zones.all()
    if (regions or zones) and not (
        any(r.pk in profile.region_ids for r in regions) or any(z.pk == profile.zone_id for z in zones)
    ):
        return False
    alliances = policy.target_alliances.all()
    return not alliances or any(a.pk in member_alliance_ids for a in alliances)


def _score_policy(profile, policy) -> Suggestion:
    score, reasons = 0.0, []
    mapping = POLICY_CATEGORIES_FOR_NEED.get(profile.category, {})
    rows = sorted(policy.category_rows.all(), key=lambda row: -mapping.get(row.category, 0.0))
    if rows and mapping.get(rows[0].category):
        score += CATEGORY_WEIGHT * mapping[rows[0].category]
        reasons.append(_("类别匹配：%(need)s → %(offer)s") % {"need": profile.category_label, "offer": rows[0].get_category_display()})
    if profile.alliance_id and any(a.pk == profile.alliance_id for a in policy.target_alliances.all()):
        score += CHAIN_WEIGHT
        reasons.append(_("面向%s产业链") % profile.chain)
    elif policy.industries and profile.industry in policy.industries:
        score += CHAIN_WEIGHT
        reasons.append(_("适用行业：%s") % profile.industry)
    part, why = _place_part(
        profile, zone_id=None, region_id=policy.region_id, region_name=policy.region.name, same_region=_("适用区域：%s")
    )
    score += part
    reasons += why
    part, why = _text_part(profile, token_set(policy.tokens))
    score += part
    reasons += why
    return Suggestion(kind="policy", object=policy, score=round(min(score, 1.0), 4), reasons=reasons)


def _alliance_member_q(alliance_id, prefix=""):
    members = Membership.objects.filter(alliance_id=alliance_id, left_on__isnull=True)
    return Q(**{f"{prefix}enterprise__in": members.filter(enterprise__isnull=False).values("enterprise_id")}) | Q(
        **{f"{prefix}department__in": members.filter(department__isnull=False).values("department_id")}
    )


def _in_alliance_annotation(alliance_id):
    if alliance_id is None:
        return Q(pk__in=[])
    members = Membership.objects.filter(alliance_id=alliance_id, left_on__isnull=True)
    return Exists(members.filter(enterprise_id=OuterRef("enterprise_id"))) | Exists(
        members.filter(department_id=OuterRef("department_id"))
    )


def _resource_candidates(profile):
    categories = list(RESOURCE_CATEGORIES_FOR_NEED.get(profile.category, {}))
    if not categories:
        return []
    near = Q(region__in=profile.region_ids)
    if profile.alliance_id:
        near |= _alliance_member_q(profile.alliance_id)
    qs = (
        Resource.objects.filter(resource_active_q(), near, category__in=categories)
        .exclude(enterprise_id=profile.enterprise_id)
        .select_related("enterprise", "department", "region", "zone")
        .annotate(in_alliance=_in_alliance_annotation(profile.alliance_id))
        .order_by("-updated_at", "-id")
    )
    return list(qs[:CANDIDATE_CAP])


def _policy_candidates(profile):
    categories = list(POLICY_CATEGORIES_FOR_NEED.get(profile.category, {}))
    if not categories:
        return []
    today = timezone.localdate()
    qs = (
        Policy.objects.filter(state=Policy.State.PUBLISHED, region__in=profile.region_ids)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=today))
        .filter(Exists(PolicyCategory.objects.filter(policy=OuterRef("pk"), category__in=categories)))
        .select_related("department", "region")
        .prefetch_related(*_POLICY_PREFETCH)
        .order_by("-published_at", "-id")
    )
    return list(qs[:CANDIDATE_CAP])


def _member_alliance_ids(enterprise_id):
    return set(
        Membership.objects.filter(enterprise_id=enterprise_id, left_on__isnull=True).values_list("alliance_id", flat=True)
    )


def suggest_for_need(*, need, limit=5) -> list[Suggestion]:
    """The best resources and policies for a need, best first, each with why it was suggested."""
    profile = _profile(need)
    suggestions = [
        _score_resource(profile, resource, in_alliance=resource.in_alliance)
        for resource in _resource_candidates(profile)
    ]
    policies = _policy_candidates(profile)
    if policies:
        member_of = _member_alliance_ids(profile.enterprise_id)
        suggestions += [_score_policy(profile, p) for p in policies if _policy_applies(profile, p, member_of)]
    suggestions = [s for s in suggestions if s.score > 0]
    suggestions.sort(key=lambda s: (-s.score, s.kind, -s.object.pk))
    return suggestions[:limit]


def score_pair(*, need, offer) -> Suggestion:
    """Score one need against one resource or policy (what a proposed match records)."""
    profile = _profile(need)
    if isinstance(offer, Resource):
        in_alliance = profile.alliance_id is not None and Membership.objects.filter(
            Q(enterprise_id=offer.enterprise_id) if offer.enterprise_id else Q(department_id=offer.department_id),
            alliance_id=profile.alliance_id,
            left_on__isnull=True,
        ).exists()
        return _score_resource(profile, offer, in_alliance=in_alliance)
    prefetch_related_objects([offer], *_POLICY_PREFETCH)
    return _score_policy(profile, offer)


# -- the other way round: which open needs could this resource or policy serve --------------
def _needs_for_categories(mapping, category):
    return [need_category for need_category, weights in mapping.items() if weights.get(category)]


def open_need_states():
    """Needs still waiting for help: neither solved nor finished."""
    from .models.needs import Need

    return [s for s in Need.State.values if s not in (*Need.SOLVED_STATES, *Need.FINAL_STATES)]


def _open_needs(user):
    from .permissions.needs import visible_needs

    return visible_needs(user).filter(state__in=open_need_states())


def suggest_needs_for_resource(*, resource, user, limit=10) -> list[Suggestion]:
    """Open needs the user may see that this resource could serve, best first."""
    categories = _needs_for_categories(RESOURCE_CATEGORIES_FOR_NEED, resource.category)
    owner = Q(enterprise_id=resource.enterprise_id) if resource.enterprise_id else Q(department_id=resource.department_id)
    owner_alliances = list(
        Membership.objects.filter(owner, left_on__isnull=True).values_list("alliance_id", flat=True)
    )
    below = Region.objects.filter(path__startswith=resource.region.path).values("pk")
    needs = (
        _open_needs(user)
        .filter(Q(region__in=below) | Q(alliance__in=owner_alliances), category__in=categories)
        .exclude(enterprise_id=resource.enterprise_id)
        .select_related("enterprise__zone", "region", "alliance")
        .order_by("-filed_at", "-id")[:NEED_CANDIDATE_CAP]
    )
    suggestions = []
    for need in needs:
        scored = _score_resource(_profile(need), resource, in_alliance=need.alliance_id in owner_alliances)
        suggestions.append(Suggestion(kind="need", object=need, score=scored.score, reasons=scored.reasons))
    suggestions.sort(key=lambda s: (-s.score, -s.object.pk))
    return suggestions[:limit]


def suggest_needs_for_policy(*, policy, user, limit=10) -> list[Suggestion]:
    """Open needs the user may see, of enterprises the policy applies to, best first."""
    from .services.lists import policy_targets

    prefetch_related_objects([policy], *_POLICY_PREFETCH)
    rows = list(policy.category_rows.all())
    categories = {c for row in rows for c in _needs_for_categories(POLICY_CATEGORIES_FOR_NEED, row.category)}
    needs = (
        _open_needs(user)
        .filter(category__in=categories, enterprise__in=policy_targets(policy).values("pk"))
        .select_related("enterprise__zone", "region", "alliance")
        .order_by("-filed_at", "-id")[:NEED_CANDIDATE_CAP]
    )
    suggestions = []
    for need in needs:
        scored = _score_policy(_profile(need), policy)
        suggestions.append(Suggestion(kind="need", object=need, score=scored.score, reasons=scored.reasons))
    suggestions.sort(key=lambda s: (-s.score, -s.object.pk))
    return suggestions[:limit]
