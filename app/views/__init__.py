"""Registration of every view and API, in menu order."""


def register_views(appbuilder):
    """Register the application's views on ``appbuilder``.

    Each feature package exposes ``register(appbuilder)``; the order here is the
    order of the menu.
    """
    from app.audit import views as audit_views
    from app.letters import views as letters_views
    from app.security import views as security_views
    from app.views import home, hostlink, issuances, resident_api, residents, stock_bench

    for module in (
        home,
        residents,
        issuances,
        resident_api,
        stock_bench,
        letters_views,
        hostlink,
        security_views,
        audit_views,
    ):
        module.register(appbuilder)
