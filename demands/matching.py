"""Matching needs with resources and policies (供需对接), each suggestion with its reasons.

A pair scores up to 1.0 from four parts:

* category (0.40): the need's category maps to resource and policy categories with a weight
  (订单/市场 → 产能 1.0, 物流 0.4 …);
* chain and industry (0.20): the provider is a member of the need's alliance, or shares the
  enterprise's industry; for a policy, it targets the enterprise's industry or alliance;
* place (0.10): same zone, same county, or a region above it;
* text (0.30): similarity of the rjieba tokens of both texts.

Candidates are prefiltered in SQL (active, in date, mapped categories, the need's region or
alliance) on the indexes of demands.models.resources and demands.models.policies and capped, so a
suggestion reads a few hundred stored token strings and never segments them again. Every candidate
is scored with numbers only; the Chinese reasons are written for the few that are shown.
"""

import math
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from alliances.models import Membership, Region

from .models import Policy, PolicyCategory, Resource
from .models.needs import Need
from .permissions.needs import visible_needs
from .permissions.resources import resource_active_q
from .selectors.policies import policy_targets
from .text import similarity, token_set, tokenize, weight_norm

CATEGORY_WEIGHT = 0.40
CHAIN_WEIGHT = 0.20
PLACE_WEIGHT = 0.10
TEXT_WEIGHT = 0.30
CANDIDATE_CAP = 200
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
    kind: str  # "resource", "policy", or "need" (the other way round)
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
    tokens_norm: float
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


@dataclass(frozen=True)
class _Score:
    """Why a pair scored what it did, kept as data; `_reasons` turns it into Chinese."""

    kind: str
    score: float
    offer_category: str = ""
    chain: str = ""  # "alliance", "industry", "target_alliance" or ""
    place: str = ""  # "zone", "region", "above" or ""
    place_name: str = ""
    keywords: tuple = ()


@dataclass(frozen=True)
class _PolicyTargets:
    categories: tuple = ()
    region_ids: frozenset = frozenset()
    zone_ids: frozenset = frozenset()
    alliance_ids: frozenset = frozenset()


@dataclass(frozen=True, slots=True)
class _ResourceFacts:
    """What scoring reads of a resource: candidates are read as plain rows, not model instances
    (a suggestion scores a few hundred of them and shows five)."""

    pk: int
    category: str
    enterprise_id: int | None
    industry: str
    zone_id: int | None
    region_id: int
    region_name: str
    tokens: str

    @classmethod
    def of(cls, resource):
        industry = resource.enterprise.industry if resource.enterprise_id else ""
        return cls(
            resource.pk,
            resource.category,
            resource.enterprise_id,
            industry,
            resource.zone_id,
            resource.region_id,
            resource.region.name,
            resource.tokens,
        )


@dataclass(frozen=True, slots=True)
class _PolicyFacts:
    """What scoring reads of a policy."""

    pk: int
    region_id: int
    region_name: str
    industries: list
    sizes: list
    tokens: str

    @classmethod
    def of(cls, policy):
        return cls(policy.pk, policy.region_id, policy.region.name, policy.industries, policy.sizes, policy.tokens)


def region_ancestor_ids(region) -> tuple:
    return tuple(Region.ids_in_path(region.path))


def _profile(need) -> _NeedProfile:
    enterprise = need.enterprise
    region = need.region
    alliance = need.alliance
    tokens = frozenset(tokenize(need.title, need.description))
    return _NeedProfile(
        need=need,
        category=need.category,
        category_label=need.get_category_display(),
        tokens=tokens,
        tokens_norm=weight_norm(tokens),
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
    score, shared = similarity(profile.tokens, token_set(tokens), a_norm=profile.tokens_norm)
    # sqrt spreads the small cosines of a short title against a long description.
    return (TEXT_WEIGHT * min(1.0, math.sqrt(score)) if shared else 0.0), tuple(shared[:5])


def _place_part(profile, *, zone_id, region_id):
    if profile.zone_id and zone_id == profile.zone_id:
        return PLACE_WEIGHT, "zone"
    if region_id == profile.region_id:
        return PLACE_WEIGHT * 0.8, "region"
    if region_id in profile.region_ids:
        return PLACE_WEIGHT * 0.5, "above"
    return 0.0, ""


def _score_resource(profile, resource, *, in_alliance) -> _Score:
    weight = RESOURCE_CATEGORIES_FOR_NEED.get(profile.category, {}).get(resource.category, 0.0)
    score = CATEGORY_WEIGHT * weight
    chain = ""
    if in_alliance and profile.chain:
        score, chain = score + CHAIN_WEIGHT, "alliance"
    elif resource.enterprise_id and resource.industry == profile.industry:
        score, chain = score + CHAIN_WEIGHT * 0.75, "industry"
    place_score, place = _place_part(profile, zone_id=resource.zone_id, region_id=resource.region_id)
    text_score, keywords = _text_part(profile, resource.tokens)
    return _Score(
        kind="resource",
        score=round(min(score + place_score + text_score, 1.0), 4),
        offer_category=resource.category if weight else "",
        chain=chain,
        place=place,
        place_name=resource.region_name if place == "above" else "",
        keywords=keywords,
    )


def _policy_applies(profile, policy, targets: _PolicyTargets, member_alliance_ids) -> bool:
    """Every criterion the policy sets holds for the need's enterprise (as in policy_targets)."""
    if policy.industries and profile.industry not in policy.industries:
        return False
    if policy.sizes and profile.size not in policy.sizes:
        return False
    if (targets.region_ids or targets.zone_ids) and not (
        targets.region_ids & set(profile.region_ids) or profile.zone_id in targets.zone_ids
    ):
        return False
    return not targets.alliance_ids or bool(targets.alliance_ids & member_alliance_ids)


def _score_policy(profile, policy, targets: _PolicyTargets) -> _Score:
    mapping = POLICY_CATEGORIES_FOR_NEED.get(profile.category, {})
    best = max(targets.categories, key=lambda c: mapping.get(c, 0.0), default="")
    weight = mapping.get(best, 0.0)
    score = CATEGORY_WEIGHT * weight
    chain = ""
    if profile.alliance_id and profile.alliance_id in targets.alliance_ids:
        score, chain = score + CHAIN_WEIGHT, "target_alliance"
    elif policy.industries and profile.industry in policy.industries:
        score, chain = score + CHAIN_WEIGHT, "industry"
    place_score, place = _place_part(profile, zone_id=None, region_id=policy.region_id)
    text_score, keywords = _text_part(profile, policy.tokens)
    return _Score(
        kind="policy",
        score=round(min(score + place_score + text_score, 1.0), 4),
        offer_category=best if weight else "",
        chain=chain,
        place=place,
        place_name=policy.region_name if place == "above" else "",
        keywords=keywords,
    )


def _reasons(profile, scored: _Score) -> list[str]:
    reasons = []
    if scored.offer_category:
        labels = Resource.Category if scored.kind == "resource" else Policy.Category
        reasons.append(
            _("类别匹配：%(need)s → %(offer)s")
            % {"need": profile.category_label, "offer": labels(scored.offer_category).label}
        )
    chain = {
        "alliance": lambda: _("同属%s产业链") % profile.chain,
        "industry": lambda: (_("同属%s行业") if scored.kind == "resource" else _("适用行业：%s")) % profile.industry,
        "target_alliance": lambda: _("面向%s产业链") % profile.chain,
    }.get(scored.chain)
    if chain:
        reasons.append(chain())
    if scored.place == "zone":
        reasons.append(_("同一片区：%s") % profile.zone_name)
    elif scored.place == "region":
        reasons.append((_("同一区域：%s") if scored.kind == "resource" else _("适用区域：%s")) % profile.region_name)
    elif scored.place == "above":
        reasons.append(_("覆盖区域：%s") % scored.place_name)
    if scored.keywords:
        reasons.append(_("关键词：%s") % "、".join(scored.keywords))
    return reasons


# What scoring reads, as plain rows; the few suggestions shown are loaded as models afterwards.
_RESOURCE_FACTS = (
    "id",
    "category",
    "enterprise_id",
    "department_id",
    "enterprise__industry",
    "zone_id",
    "region_id",
    "region__name",
    "tokens",
)
_POLICY_FACTS = ("id", "region_id", "region__name", "industries", "sizes", "tokens")


def _alliance_member_ids(alliance_id):
    """Active member enterprise and department ids of the alliance, in one query."""
    enterprises, departments = set(), set()
    if alliance_id is None:
        return enterprises, departments
    for enterprise_id, department_id in Membership.objects.filter(
        alliance_id=alliance_id, left_on__isnull=True
    ).values_list("enterprise_id", "department_id"):
        if enterprise_id:
            enterprises.add(enterprise_id)
        else:
            departments.add(department_id)
    return enterprises, departments


def _resource_candidates(profile):
    categories = list(RESOURCE_CATEGORIES_FOR_NEED.get(profile.category, {}))
    if not categories:
        return []
    # Plain id lists rather than membership subqueries: PostgreSQL can then use the resource indexes
    # (measured by `make bench`: 33.8 → 25.1 ms per suggestion at 50,000 resources and policies).
    member_enterprises, member_departments = _alliance_member_ids(profile.alliance_id)
    near = Q(region__in=profile.region_ids) | Q(enterprise_id__in=member_enterprises)
    near |= Q(department_id__in=member_departments)
    # Two steps: the newest CANDIDATE_CAP ids from the resource indexes alone, then those rows with
    # their owners' industry. Joined in one query, PostgreSQL hashes every enterprise before sorting.
    ids = list(
        Resource.objects.filter(resource_active_q(), near, category__in=categories)
        .exclude(enterprise_id=profile.enterprise_id)
        .order_by("-updated_at", "-id")
        .values_list("pk", flat=True)[:CANDIDATE_CAP]
    )
    if not ids:
        return []
    candidates = []
    for (
        pk,
        category,
        enterprise_id,
        department_id,
        industry,
        zone_id,
        region_id,
        region_name,
        tokens,
    ) in Resource.objects.filter(pk__in=ids).values_list(*_RESOURCE_FACTS):
        facts = _ResourceFacts(pk, category, enterprise_id, industry or "", zone_id, region_id, region_name, tokens)
        in_alliance = enterprise_id in member_enterprises or department_id in member_departments
        candidates.append((facts, in_alliance))
    return candidates


def _policy_candidates(profile):
    categories = list(POLICY_CATEGORIES_FOR_NEED.get(profile.category, {}))
    if not categories:
        return []
    today = timezone.localdate()
    rows = (
        Policy.objects.filter(state=Policy.State.PUBLISHED, region__in=profile.region_ids)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=today))
        .filter(Exists(PolicyCategory.objects.filter(policy=OuterRef("pk"), category__in=categories)))
        # Newest published first. Not by id: PostgreSQL would walk the primary key backwards through
        # every other county's policies (measured by `make bench`: 11.8 → 3.0 ms at 50,000 policies).
        .order_by("-published_at", "-id")
        .values_list(*_POLICY_FACTS)
    )
    return [_PolicyFacts(*row) for row in rows[:CANDIDATE_CAP]]


def _targets_sql() -> str:
    """One UNION ALL over the policy's categories and its three target tables, keyed by an array of ids."""
    parts = [f"SELECT policy_id, 'categories', category, NULL::bigint FROM {PolicyCategory._meta.db_table}"]
    for name, column in (("regions", "region_id"), ("zones", "workzone_id"), ("alliances", "alliance_id")):
        table = getattr(Policy, f"target_{name}").through._meta.db_table
        parts.append(f"SELECT policy_id, '{name}', NULL, {column} FROM {table}")
    return " UNION ALL ".join(f"{part} WHERE policy_id = ANY(%s)" for part in parts)


def _targets_of(policy_ids) -> dict[int, _PolicyTargets]:
    """Categories and target lists of the given policies, as plain ids, in one query."""
    found = defaultdict(lambda: defaultdict(set))
    policy_ids = list(policy_ids)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(_targets_sql(), [policy_ids] * 4)
            rows = cursor.fetchall()
        else:  # SQLite has no arrays: the same rows, one query per table
            rows = [(p, "categories", c, None) for p, c in _rows(PolicyCategory, policy_ids, "category")]
            for name, column in (("regions", "region_id"), ("zones", "workzone_id"), ("alliances", "alliance_id")):
                through = getattr(Policy, f"target_{name}").through
                rows += [(p, name, None, t) for p, t in _rows(through, policy_ids, column)]
    for policy_id, name, category, target in rows:
        found[policy_id][name].add(category if name == "categories" else target)
    return {
        policy_id: _PolicyTargets(
            categories=tuple(sorted(found[policy_id]["categories"])),
            region_ids=frozenset(found[policy_id]["regions"]),
            zone_ids=frozenset(found[policy_id]["zones"]),
            alliance_ids=frozenset(found[policy_id]["alliances"]),
        )
        for policy_id in policy_ids
    }


def _rows(model, policy_ids, column):
    return model.objects.filter(policy_id__in=policy_ids).values_list("policy_id", column)


def _member_alliance_ids(enterprise_id):
    return set(
        Membership.objects.filter(enterprise_id=enterprise_id, left_on__isnull=True).values_list(
            "alliance_id", flat=True
        )
    )


def _load_shown(ranked) -> dict:
    """The model instances of the suggestions shown, (kind, pk) → object, one query per kind."""
    ids = defaultdict(list)
    for scored, facts in ranked:
        ids[scored.kind].append(facts.pk)
    shown = {}
    if ids["resource"]:
        resources = Resource.objects.select_related("enterprise", "department", "region").in_bulk(ids["resource"])
        shown.update((("resource", pk), resource) for pk, resource in resources.items())
    if ids["policy"]:
        policies = Policy.objects.select_related("region").in_bulk(ids["policy"])
        shown.update((("policy", pk), policy) for pk, policy in policies.items())
    return shown


def _best(profile, scored_facts, limit):
    """The top `limit` (score, facts) pairs as suggestions of model instances, with their reasons."""
    ranked = sorted((s for s in scored_facts if s[0].score > 0), key=lambda s: (-s[0].score, s[0].kind, -s[1].pk))
    ranked = ranked[:limit]
    shown = _load_shown(ranked)
    return [
        Suggestion(kind=scored.kind, object=shown[key], score=scored.score, reasons=_reasons(profile, scored))
        for scored, facts in ranked
        if (key := (scored.kind, facts.pk)) in shown
    ]


def suggest_for_need(*, need, limit=5) -> list[Suggestion]:
    """The best resources and policies for a need, best first, each with why it was suggested."""
    profile = _profile(need)
    scored = [(_score_resource(profile, r, in_alliance=near), r) for r, near in _resource_candidates(profile)]
    policies = _policy_candidates(profile)
    if policies:
        targets = _targets_of([p.pk for p in policies])
        member_of = _member_alliance_ids(profile.enterprise_id)
        scored += [
            (_score_policy(profile, p, targets[p.pk]), p)
            for p in policies
            if _policy_applies(profile, p, targets[p.pk], member_of)
        ]
    return _best(profile, scored, limit)


def score_pair(*, need, offer) -> Suggestion:
    """Score one need against one resource or policy (what a proposed match records)."""
    profile = _profile(need)
    if isinstance(offer, Resource):
        owner = Q(enterprise_id=offer.enterprise_id) if offer.enterprise_id else Q(department_id=offer.department_id)
        in_alliance = (
            profile.alliance_id is not None
            and Membership.objects.filter(owner, alliance_id=profile.alliance_id, left_on__isnull=True).exists()
        )
        scored = _score_resource(profile, _ResourceFacts.of(offer), in_alliance=in_alliance)
    else:
        scored = _score_policy(profile, _PolicyFacts.of(offer), _targets_of([offer.pk])[offer.pk])
    return Suggestion(kind=scored.kind, object=offer, score=scored.score, reasons=_reasons(profile, scored))


# -- the other way round: which open needs could this resource or policy serve --------------
def _needs_for_categories(mapping, category):
    return [need_category for need_category, weights in mapping.items() if weights.get(category)]


def _best_needs(pairs, limit):
    ranked = sorted(pairs, key=lambda pair: (-pair[1].score, -pair[0].need.pk))[:limit]
    return [
        Suggestion(kind="need", object=profile.need, score=scored.score, reasons=_reasons(profile, scored))
        for profile, scored in ranked
    ]


def open_need_states():
    """Needs still waiting for help: neither solved nor finished."""
    return [s for s in Need.State.values if s not in (*Need.SOLVED_STATES, *Need.FINAL_STATES)]


def _open_needs(user):
    return visible_needs(user).filter(state__in=open_need_states())


def suggest_needs_for_resource(*, resource, user, limit=10) -> list[Suggestion]:
    """Open needs the user may see that this resource could serve, best first."""
    categories = _needs_for_categories(RESOURCE_CATEGORIES_FOR_NEED, resource.category)
    owner = (
        Q(enterprise_id=resource.enterprise_id) if resource.enterprise_id else Q(department_id=resource.department_id)
    )
    owner_alliances = list(Membership.objects.filter(owner, left_on__isnull=True).values_list("alliance_id", flat=True))
    below = Region.objects.subtree_of(resource.region).values("pk")
    needs = (
        _open_needs(user)
        .filter(Q(region__in=below) | Q(alliance__in=owner_alliances), category__in=categories)
        .exclude(enterprise_id=resource.enterprise_id)
        .select_related("enterprise__zone", "region", "alliance")
        .order_by("-filed_at", "-id")[:NEED_CANDIDATE_CAP]
    )
    facts = _ResourceFacts.of(resource)
    return _best_needs(
        (
            (profile, _score_resource(profile, facts, in_alliance=profile.alliance_id in owner_alliances))
            for profile in map(_profile, needs)
        ),
        limit,
    )


def suggest_needs_for_policy(*, policy, user, limit=10) -> list[Suggestion]:
    """Open needs the user may see, of enterprises the policy applies to, best first."""
    targets = _targets_of([policy.pk])[policy.pk]
    categories = {c for offer in targets.categories for c in _needs_for_categories(POLICY_CATEGORIES_FOR_NEED, offer)}
    needs = (
        _open_needs(user)
        .filter(category__in=categories, enterprise__in=policy_targets(policy).values("pk"))
        .select_related("enterprise__zone", "region", "alliance")
        .order_by("-filed_at", "-id")[:NEED_CANDIDATE_CAP]
    )
    facts = _PolicyFacts.of(policy)
    return _best_needs(((profile, _score_policy(profile, facts, targets)) for profile in map(_profile, needs)), limit)
