"""Registration of every view and API, in menu order."""


def register_views(appbuilder):
    """Register the application's views on ``appbuilder``.

    Each feature package exposes ``register(appbuilder)``; the order here is the
    order of the menu.
    """
    from app.views import home

    for module in (home,):
        module.register(appbuilder)
