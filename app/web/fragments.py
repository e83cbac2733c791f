"""Page fragments rendered once per role set instead of on every page, and
static-file URLs built once.

FAB renders the navigation menu on every page, checking the permission of each
entry: a dozen checks and some forty template calls, about a sixth of the time of
a search page.  What a user sees there depends only on their roles and the
language.  The roles are builtin roles declared in code
(:mod:`app.security.roles`), fixed for the life of the process, so the rendered
HTML is kept per (fragment, roles, locale, mount point).  A user holding any role defined in
the database instead gets the fragment rendered afresh.

Every page also links some twenty style sheets and scripts of FAB's layout; their
URLs depend only on the file name and the application's mount point.
"""

from flask import current_app, g, request, url_for
from flask_babel import get_locale
from jinja2 import ChoiceLoader, PackageLoader, PrefixLoader

from app.security.http import STATIC_ENDPOINTS

CACHE_KEY = "ward_fragments"
# FAB's own templates under "fab/": ours override FAB's navbar_menu.html and
# include the original from there.
FAB_PREFIX = "fab"


def _roles_key():
    user = getattr(g, "user", None)
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    from app.extensions import appbuilder

    sm = appbuilder.sm
    names = tuple(sorted({role.name for role in sm.get_user_roles(user)}))
    if not names or any(name not in sm.builtin_roles for name in names):
        return None
    return names


def cached_fragment(name, caller):
    """Jinja ``{% call cached_fragment("name") %}…{% endcall %}``: the block's
    output, rendered once per role set, locale and mount point."""
    roles = _roles_key()
    if roles is None:
        return caller()
    cache = current_app.extensions.setdefault(CACHE_KEY, {})
    # the menu's links carry the mount point
    key = (name, roles, str(get_locale()), request.script_root)
    html = cache.get(key)
    if html is None:
        html = cache[key] = caller()
    return html


def template_url_for(endpoint, **values):
    """Templates' ``url_for``: Flask's, with static-file URLs remembered."""
    if endpoint not in STATIC_ENDPOINTS or values.keys() != {"filename"}:
        return url_for(endpoint, **values)
    cache = current_app.extensions.setdefault("ward_static_urls", {})
    key = (request.script_root, endpoint, values["filename"])
    url = cache.get(key)
    if url is None:
        if len(cache) > 1000:  # file names come from templates; bounded anyway
            cache.clear()
        url = cache[key] = url_for(endpoint, **values)
    return url


def init_fragments(app):
    """Make :func:`cached_fragment`, :func:`template_url_for` and FAB's original
    templates available."""
    app.jinja_env.globals["cached_fragment"] = cached_fragment
    app.jinja_env.globals["url_for"] = template_url_for
    app.jinja_loader = ChoiceLoader(
        [
            app.jinja_loader,
            PrefixLoader({FAB_PREFIX: PackageLoader("flask_appbuilder", "templates")}),
        ]
    )
