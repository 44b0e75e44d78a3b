"""Logging in, out, changing passwords, lock-out and the idle timeout."""

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse

from tests.base import PASSWORD, PersonaTestCase


class LoginTest(PersonaTestCase):
    def post_login(self, username, password):
        return self.client.post(
            reverse("login"), {"username": username, "password": password}, REMOTE_ADDR="10.0.0.1"
        )

    def test_the_login_page_speaks_chinese_by_default(self):
        response = self.client.get(reverse("login"))
        self.assertContains(response, "登录")
        self.assertContains(response, 'lang="zh-hans"')

    def test_the_login_page_speaks_english_on_request(self):
        response = self.client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en")
        self.assertContains(response, "Log in")

    def test_it_logs_in_with_the_right_password(self):
        response = self.post_login("liaison", PASSWORD)
        self.assertEqual(response.status_code, 302)
        self.assertEqual(int(self.client.session["_auth_user_id"]), self.liaison.pk)

    def test_it_refuses_a_wrong_password_with_a_message(self):
        response = self.post_login("liaison", "wrong-password-1")
        self.assertEqual(response.status_code, 200)
        self.assertNotIn("_auth_user_id", self.client.session)
        self.assertContains(response, "用户名")

    def test_it_locks_the_account_after_repeated_failures(self):
        for _ in range(settings.AXES_FAILURE_LIMIT):
            self.post_login("liaison", "wrong-password-1")
        response = self.post_login("liaison", PASSWORD)
        self.assertEqual(response.status_code, 429)
        self.assertContains(response, "锁定", status_code=429)
        self.assertNotIn("_auth_user_id", self.client.session)

    def test_a_lock_on_one_account_leaves_others_alone(self):
        for _ in range(settings.AXES_FAILURE_LIMIT):
            self.post_login("liaison", "wrong-password-1")
        response = self.post_login("staff", PASSWORD)
        self.assertEqual(response.status_code, 302)

    def test_logout_ends_the_session(self):
        self.login(self.liaison)
        response = self.client.post(reverse("logout"))
        self.assertEqual(response.status_code, 302)
        self.assertNotIn("_auth_user_id", self.client.session)

    def test_pages_need_a_login(self):
        response = self.client.get(reverse("password_change"))
        self.assertEqual(response.status_code, 302)
        self.assertIn(reverse("login"), response["Location"])


class SessionTest(PersonaTestCase):
    def test_the_session_expires_after_idle_minutes_and_each_request_extends_it(self):
        self.assertEqual(settings.SESSION_COOKIE_AGE, 30 * 60)
        self.assertTrue(settings.SESSION_SAVE_EVERY_REQUEST)
        self.login(self.liaison)
        self.client.get(reverse("password_change"))
        expiry = self.client.session.get_expiry_age()
        self.assertLessEqual(expiry, 30 * 60)
        self.assertGreater(expiry, 29 * 60)


class PasswordTest(PersonaTestCase):
    def test_the_rules_refuse_short_numeric_or_letter_only_passwords(self):
        for weak in ("abc123", "1234567890123", "onlylettershere", "password123"):
            with self.subTest(password=weak), self.assertRaises(ValidationError):
                validate_password(weak, self.liaison)

    def test_the_rules_accept_a_long_mixed_password(self):
        validate_password("Jiazhou-2024-ok", self.liaison)

    def test_changing_the_password_checks_the_old_one_and_the_rules(self):
        self.login(self.liaison)
        url = reverse("password_change")
        response = self.client.post(
            url, {"old_password": "nope", "new_password1": "x", "new_password2": "x"}
        )
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "旧密码")
        response = self.client.post(
            url,
            {
                "old_password": PASSWORD,
                "new_password1": "Lingyun-2025-home",
                "new_password2": "Lingyun-2025-home",
            },
        )
        self.assertEqual(response.status_code, 302)
        self.liaison.refresh_from_db()
        self.assertTrue(self.liaison.check_password("Lingyun-2025-home"))
