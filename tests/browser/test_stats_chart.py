"""The statistics screen (app.stats) in headless Chromium, with a screenshot
(here for the browser fixtures; the dataset is tests/stats/conftest.py's)."""

import pytest

from tests.browser.japanese import english_words
from tests.stats.conftest import AS_OF, FY, dataset  # noqa: F401 (the fixture)

pytestmark = pytest.mark.browser


def test_stats_chart_screen_in_the_browser(dataset, page, sign_in_as):  # noqa: F811
    sign_in_as("supervisor")
    page.goto(f"/stats/?as_of={AS_OF.isoformat()}&fiscal_year={FY}")
    page.shot("stats")
    charts = page.locator("svg[role=img]")
    assert charts.count() == 2
    assert charts.first.get_attribute("aria-label") == "月別の交付枚数"
    assert charts.first.bounding_box()["width"] > 200
    assert page.locator("svg rect[fill='#2a6ebb']").count() >= 7  # a bar per month
    assert page.locator("table#stats-by_month caption").inner_text() == "月別の交付枚数"
    assert english_words(page.inner_text("body")) == []
