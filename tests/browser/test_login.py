"""Logging in on a phone, in Chinese."""

import pytest

from tests.base import PASSWORD
from tests.browser.conftest import log_in

pytestmark = pytest.mark.browser


def test_a_liaison_logs_in_on_a_phone_and_out_again(live_server, world, phone, shot):
    phone.goto(f"{live_server.url}/accounts/login/")
    assert "登录" in phone.title()
    shot(phone, "login-phone")
    log_in(phone, live_server.url, "liaison", PASSWORD)
    assert "/accounts/login/" not in phone.url
    shot(phone, "after-login")
    phone.click("text=退出")
    phone.wait_for_url("**/accounts/login/**")


def test_a_wrong_password_is_refused_with_a_message(live_server, world, phone, shot):
    log_in(phone, live_server.url, "liaison", "wrong-password-1")
    assert "/accounts/login/" in phone.url
    assert phone.locator(".errors").is_visible()
    shot(phone, "login-refused")
