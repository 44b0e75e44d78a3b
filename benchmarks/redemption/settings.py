"""The application's settings for the redemption benchmark's server: its URLs plus the
peer, a bare endpoint."""

from carepair.settings import *  # noqa: F403

ROOT_URLCONF = "benchmarks.redemption.urls"
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
DEBUG = False
