"""The dashboard in headless Chromium: charts drawn as SVG in the served Chinese webfont,
on a phone and a desktop, with every request answered by the application itself."""

import datetime
from decimal import Decimal
from types import SimpleNamespace
from urllib.parse import urlparse

import pytest

from carepair.accounts.models import User
from carepair.ledger.models import Category
from carepair.ledger.services import MaterialLine, activity_record
from carepair.problems.models import Category as ProblemCategory
from carepair.problems.models import Problem
from carepair.problems.services import problem_raise
from tests.base import PASSWORD, TODAY
from tests.browser.conftest import log_in

pytestmark = pytest.mark.browser


def record_some(world) -> None:
    liaison = User.objects.get(username="liaison")
    for category, fen in ((Category.ENVIRONMENT, 3012345678), (Category.FESTIVAL, 50000)):
        activity_record(
            actor=liaison,
            kind="assistance",
            category=category,
            title="送温暖",
            occurred_on=TODAY(),
            helpers=[world.department],
            institution=world.home_a,
            beneficiaries=40,
            materials=[MaterialLine("大米", Decimal("1"), "批", fen)],
        )
    problem = problem_raise(
        actor=User.objects.get(username="staff"),
        title="电线老化",
        category=ProblemCategory.SAFETY,
        due_on=TODAY() + datetime.timedelta(days=3),
        institution=world.home_a,
    )
    Problem.objects.filter(pk=problem.pk).update(due_on=TODAY() - datetime.timedelta(days=1))


def open_dashboard(page, base_url: str, query: str = "") -> SimpleNamespace:
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(f"{base_url}/dashboard/{query}")
    page.wait_for_selector("#chart-categories svg text")
    page.wait_for_load_state("networkidle")
    return SimpleNamespace(requests=requests)


def assert_charts_in_the_webfont(page, seen) -> None:
    svg_text = " ".join(page.locator(".chart svg text").all_text_contents())
    assert "环境提升" in svg_text and "温暖过节" in svg_text
    assert page.evaluate(
        """() => document.fonts.check('12px "Noto Sans SC"', '环境提升温暖过节')"""
    )
    family = page.evaluate(
        """() => getComputedStyle(document.querySelector('.chart svg text')).fontFamily"""
    )
    assert "Noto Sans SC" in family
    host = urlparse(page.url).netloc
    assert [u for u in seen.requests if urlparse(u).netloc != host] == []
    assert any(u.endswith(".woff2") for u in seen.requests)


def test_a_county_leader_sees_the_charts_on_a_phone(live_server, world, phone, shot):
    record_some(world)
    log_in(phone, live_server.url, "county_a", PASSWORD)
    seen = open_dashboard(phone, live_server.url)
    assert phone.locator('[data-key="material_value_yuan"] .value').inner_text() == (
        "30,123,956.78"
    )
    assert_charts_in_the_webfont(phone, seen)
    shot(phone, "dashboard-phone")


def test_the_city_dashboard_drills_down_on_a_desktop(live_server, world, desktop, shot):
    record_some(world)
    log_in(desktop, live_server.url, "city_admin", PASSWORD)
    seen = open_dashboard(desktop, live_server.url)
    assert_charts_in_the_webfont(desktop, seen)
    shot(desktop, "dashboard-desktop")
    desktop.click("table.numbers >> text=市中区")
    desktop.wait_for_selector("#chart-categories svg text")
    assert "region=511102000000" in desktop.url
    first = desktop.locator("table.numbers tbody tr").first
    assert "凌云敬老院" in first.inner_text()
    shot(desktop, "dashboard-county")
