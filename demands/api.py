def register_api(router):
    """Viewsets of the three lists join the portal's router here."""
