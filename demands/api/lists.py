def register(router):
    return router
