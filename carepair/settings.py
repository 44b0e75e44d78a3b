"""CarePair settings: one module, driven by CAREPAIR_* environment variables.

With no environment at all it runs on an SQLite database under ./data, which is what the
demo uses; production sets CAREPAIR_DATABASE_URL to a PostgreSQL URL and a real secret key.
"""

import os
import tempfile
from pathlib import Path

import dj_database_url

from carepair.lib.env import envbool, envint, envsecret, envstr

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(envstr("CAREPAIR_DATA_DIR", str(BASE_DIR.parent / "data"))).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = envbool("CAREPAIR_DEBUG", False)
SECRET_KEY = envsecret("CAREPAIR_SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG and envbool("CAREPAIR_REQUIRE_SECRET", False):
        raise RuntimeError("CAREPAIR_SECRET_KEY must be set")
    # A development key: fine on 127.0.0.1, refused in production by CAREPAIR_REQUIRE_SECRET.
    SECRET_KEY = "carepair-insecure-development-key-change-me-in-production"

ALLOWED_HOSTS = [h for h in envstr("CAREPAIR_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in envstr("CAREPAIR_CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    # CarePair's apps come first: their templates (login, password change) and their
    # translations win over those of Django's contrib apps for the same names.
    "carepair.lib",
    "carepair.regions",
    "carepair.accounts",
    "carepair.orgs",
    "carepair.pairing",
    "carepair.ledger",
    "carepair.problems",
    "carepair.people",
    "carepair.meals",
    "carepair.reports",
    "carepair.api",
    "carepair.demo",
    "carepair.matching",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "simple_history",
    "axes",
    "ninja",
    "django_tasks",
    "django_tasks_db",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "carepair.lib.middleware.ChineseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "carepair.urls"
WSGI_APPLICATION = "carepair.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        envstr("CAREPAIR_DATABASE_URL", f"sqlite:///{DATA_DIR / 'carepair.sqlite3'}"),
        conn_max_age=envint("CAREPAIR_DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # The server binds the parameters, and a statement a connection runs again and again
    # (a till's, meal after meal) is prepared on its fifth run and then only executed:
    # half the server's work per redemption (benchmarks/redemption). Behind a pooler in
    # transaction mode (PgBouncer), CAREPAIR_DB_PREPARE_THRESHOLD=0 switches preparing
    # off. Options given in the database URL (sslmode, ...) are kept.
    _prepare = envint("CAREPAIR_DB_PREPARE_THRESHOLD", 5)
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        server_side_binding=True, prepare_threshold=_prepare or None
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the dashboard read while a visit is being written; every transaction
    # takes the write lock when it begins (IMMEDIATE), so a writer never finds the
    # database changed under its reads, and a busy timeout makes concurrent writers wait
    # in line instead of failing ("database is locked" never reaches a user). Each
    # server thread keeps its connection (CAREPAIR_DB_CONN_MAX_AGE, as on PostgreSQL):
    # opening one per request cost a checkpoint of the WAL whenever the last one closed.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    # Tests use a file (in memory where /dev/shm is), not SQLite's shared-cache memory
    # database, where two connections writing at once fail ("table is locked") instead
    # of waiting for each other as they do in production.
    _scratch = Path("/dev/shm") if Path("/dev/shm").is_dir() else Path(tempfile.gettempdir())
    DATABASES["default"]["TEST"] = {
        "NAME": envstr("CAREPAIR_TEST_DB", "")
        or str(_scratch / f"carepair-test-{os.getpid()}.sqlite3")
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Computed figures (the dashboard, the summary) are cached under a token that every write
# changes (carepair/lib/freshness.py). Files under the data directory are shared by every
# server process on the machine and need nothing else installed.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(DATA_DIR / "cache"),
        "TIMEOUT": 600,
        "OPTIONS": {"MAX_ENTRIES": 2000},
    }
}
CAREPAIR_FIGURES_CACHE_SECONDS = envint("CAREPAIR_FIGURES_CACHE_SECONDS", 600)

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "carepair.accounts.passwords.CharacterClassValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Lock-out: five wrong passwords for one username lock it for 30 minutes.
AXES_FAILURE_LIMIT = envint("CAREPAIR_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = envint("CAREPAIR_LOGIN_COOLOFF_MINUTES", 30) / 60
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False
# Offices share one address behind the intranet's NAT: locking by IP would lock out a whole
# township office, so the lock is per username (axes warns about that; it is deliberate).
SILENCED_SYSTEM_CHECKS = ["axes.W006"]

# Idle timeout: the session lasts 30 minutes past the last request, then asks again.
SESSION_COOKIE_AGE = envint("CAREPAIR_IDLE_TIMEOUT_MINUTES", 30) * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = envbool("CAREPAIR_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
USE_I18N = True
TIME_ZONE = "Asia/Shanghai"
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # whitenoise warns on every request without it
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
MEDIA_URL = "/media/"
MEDIA_ROOT = DATA_DIR / "media"

# Uploaded photos: a phone picture fits; anything larger or not an image is refused.
CAREPAIR_PHOTO_MAX_BYTES = envint("CAREPAIR_PHOTO_MAX_BYTES", 10 * 1024 * 1024)
CAREPAIR_PHOTO_TYPES = ("image/jpeg", "image/png", "image/webp")
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Problems past their due date climb one level (institution/township -> county -> city)
# after this many days at each level.
CAREPAIR_ESCALATE_AFTER_DAYS = envint("CAREPAIR_ESCALATE_AFTER_DAYS", 15)

# The key identity numbers are encrypted with (base64 of 32 bytes), kept outside the
# database: here, or in DATA_DIR/person.key (carepair.lib.vault).
CAREPAIR_PERSON_KEY = envsecret("CAREPAIR_PERSON_KEY")

# Background jobs (large imports) go into a queue in the database, run by
# `carepair db_worker` (`carepair demo` starts one beside the server).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# Files of up to this many rows are imported while the page waits; larger ones in the
# background, with a progress bar.
CAREPAIR_IMPORT_INLINE_ROWS = envint("CAREPAIR_IMPORT_INLINE_ROWS", 2000)
CAREPAIR_IMPORT_MAX_BYTES = envint("CAREPAIR_IMPORT_MAX_BYTES", 100 * 1024 * 1024)

NINJA_PAGINATION_PER_PAGE = 50
# A problem's or pairing's past goes forward through its services, never by restoring an
# old version in the admin (which would skip the workflow and its events).
SIMPLE_HISTORY_REVERT_DISABLED = True
# No index on when a change was made: pages read a record's history by its key (see
# carepair.lib.history).
SIMPLE_HISTORY_DATE_INDEX = False

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": envstr("CAREPAIR_LOG_LEVEL", "WARNING")},
}
