from . import matches, needs, policies, resources


def register_api(router):
    """The three lists' viewsets join the portal's one router."""
    needs.register(router)
    router.register("resources", resources.ResourceViewSet, basename="resource")
    router.register("policies", policies.PolicyViewSet, basename="policy")
    router.register("cooperations", matches.CooperationViewSet, basename="cooperation")
