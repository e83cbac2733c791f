"""What the left navbar of a page shows, for the role × URL matrix."""

from urllib.parse import urlsplit

from lxml import html as lxml_html


def menu_names_by_href(app):
    """``{path: menu entry name}`` of every entry of the application's menu."""
    from app.extensions import appbuilder

    found = {}
    with app.test_request_context():
        for item in appbuilder.menu.get_list():
            for child in item.childs or [item]:
                if child.name != "-":
                    found[urlsplit(child.get_url()).path] = child.name
    return found


def navbar(page):
    """(categories with their entries' hrefs, all visible labels) of the left navbar."""
    tree = lxml_html.fromstring(page)
    bars = tree.xpath(
        '//ul[contains(@class,"navbar-nav") and not(contains(@class,"navbar-right"))]'
    )
    hrefs, labels, empty = [], [], []
    for bar in bars:
        for li in bar.xpath("./li"):
            toggle = li.xpath('./a[contains(@class,"dropdown-toggle")]')
            if toggle:
                labels.append(toggle[0].text_content().strip())
                entries = li.xpath('.//ul[contains(@class,"dropdown-menu")]/li/a')
                if not entries:
                    empty.append(labels[-1])
            else:
                entries = li.xpath("./a")
            for a in entries:
                hrefs.append(urlsplit(a.get("href")).path)
                labels.append(a.text_content().strip())
    return hrefs, labels, empty


def menu_problems(client, by_href, expected):
    """The navbar shows exactly the ``expected`` entries (names), in Japanese,
    no empty menus.

    :param by_href: :func:`menu_names_by_href` of the application.
    """
    page = client.get("/").get_data(as_text=True)
    hrefs, labels, empty = navbar(page)
    shown = {by_href.get(h, h) for h in hrefs}
    problems = []
    if shown != expected:
        problems.append(
            f"menu: unexpected {sorted(shown - expected)}, missing {sorted(expected - shown)}"
        )
    if empty:
        problems.append(f"menu: empty categories {empty}")
    english = [label for label in labels if label.isascii() and any(c.isalpha() for c in label)]
    if english:
        problems.append(f"menu: English labels {english}")
    return problems
