"""Suite-wide test settings."""

import tempfile

from django.conf import settings


def pytest_configure():
    # Uploaded photos go to a throwaway directory, not the demo's data/media.
    settings.MEDIA_ROOT = tempfile.mkdtemp(prefix="carepair-test-media-")
    # Figures are computed afresh in tests, which write through the ORM as well as through
    # the services; the cache has tests of its own that switch it on.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    # PBKDF2's deliberate slowness costs a second per persona set; tests need no such cost.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # A fixed key for identity numbers, so that no test depends on a key file.
    settings.CAREPAIR_PERSON_KEY = "dGVzdC1rZXktZm9yLWlkZW50aXR5LW51bWJlcnMtLTM="
