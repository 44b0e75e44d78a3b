"""A meal point's staff record lunches on a phone: by card, then the same diner again at
another point is refused, then by QR code. A county plans new meal points on a map."""

import pytest

from carepair.meals.models import MealSite
from carepair.regions.models import Level, Region
from tests.base import PASSWORD
from tests.browser.conftest import log_in
from tests.test_meals import make_world, registered

pytestmark = pytest.mark.browser


def test_a_point_records_meals_and_refuses_a_second_claim(
    live_server, world, phone, shot, settings
):
    settings.CAREPAIR_PERSON_KEY = "dGVzdC1rZXktZm9yLWlkZW50aXR5LW51bWJlcnMtLTM="
    make_world(world)
    log_in(phone, live_server.url, "staff", PASSWORD)
    phone.click("nav >> text=老年助餐")
    phone.click("text=凌云社区助餐点")
    phone.fill("input[name=code]", world.old.diner.card_no)
    phone.check("input[name=slot][value=lunch]")
    phone.click("button.primary.wide")
    phone.wait_for_selector("[role=status]")
    assert "钱*福" in phone.inner_text("[role=status]")
    assert "3.00" in phone.inner_text("[role=status]")
    shot(phone, "meal-recorded-phone")

    phone.goto(f"{live_server.url}/meals/sites/{world.point_a2.pk}/")
    phone.fill("input[name=code]", world.old.diner.card_no)
    phone.check("input[name=slot][value=lunch]")
    phone.click("button.primary.wide")
    phone.wait_for_selector("[role=alert]")
    assert "凌云社区助餐点" in phone.inner_text("[role=alert]")
    shot(phone, "meal-refused-phone")

    phone.fill("input[name=code]", f"carepair-meal:{world.young.diner.qr_token}")
    phone.check("input[name=slot][value=lunch]")
    phone.click("button.primary.wide")
    phone.wait_for_selector("[role=status]")
    assert "孙*珍" in phone.inner_text("[role=status]")


def test_a_county_plans_new_meal_points_on_a_map(live_server, world, phone, shot, settings):
    """From the meal network to the planner; the plan is drawn on the county's outline."""
    settings.CAREPAIR_PERSON_KEY = "dGVzdC1rZXktZm9yLWlkZW50aXR5LW51bWJlcnMtLTM="
    make_world(world)
    Region.objects.filter(pk=world.village_a.pk).update(latitude=29.56, longitude=103.76)
    MealSite.objects.filter(pk=world.point_a.pk).update(latitude=29.56, longitude=103.76)
    far = Region.objects.create(
        code="511102001202", name="远山村", level=Level.VILLAGE, parent=world.township_a,
        latitude=29.65, longitude=103.76,
    )  # fmt: skip
    registered(world, "冯淑英", 81, 26, region=far)
    log_in(phone, live_server.url, "county_a", PASSWORD)
    phone.click("nav >> text=老年助餐")
    phone.click("text=助餐点选址")
    phone.wait_for_selector("#plan-map[data-ready='1'] canvas")
    assert "市中区" in phone.inner_text("h1")
    assert "远山村" in phone.inner_text("main")
    shot(phone, "meal-plan-phone")
