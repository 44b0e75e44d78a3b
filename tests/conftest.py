"""Suite-wide test settings."""

from django.conf import settings


def pytest_configure():
    # PBKDF2's deliberate slowness costs a second per persona set; tests need no such cost.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
