"""A meal point's staff record lunches on a phone: by card, then the same diner again at
another point is refused, then by QR code."""

import pytest

from tests.base import PASSWORD
from tests.browser.conftest import log_in
from tests.test_meals import make_world

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
