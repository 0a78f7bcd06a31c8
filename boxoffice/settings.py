"""Settings come from the environment; the defaults point at the local stack
that `make run` / `make test` start (see boxoffice/stack.py)."""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
STACK_DIR = Path(os.environ.get("BOXOFFICE_STACK_DIR", BASE_DIR / ".stack"))


def env_bool(name: str, default: bool) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


DEBUG = env_bool("DJANGO_DEBUG", True)
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off")
    SECRET_KEY = "dev-only-insecure-key-never-use-in-production"
ALLOWED_HOSTS = os.environ.get("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]").split(",")
CSRF_TRUSTED_ORIGINS = [
    o for o in os.environ.get("DJANGO_CSRF_TRUSTED_ORIGINS", "").split(",") if o
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "template_partials",
    "events",
    "sales",
]

# "all" (one pool, development), or "public" / "staff" (see boxoffice/pools.py).
BOXOFFICE_POOL = os.environ.get("BOXOFFICE_POOL", "all")

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "boxoffice.pools.PoolMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "boxoffice.urls"
WSGI_APPLICATION = "boxoffice.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
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

DATABASE_URL = os.environ.get(
    "DATABASE_URL", "postgres://boxoffice@127.0.0.1:15432/boxoffice"
)
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL, conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["ENGINE"] = "boxoffice.db"  # the same, with a health check that asks only when in doubt
# Which pool a connection serves, for pg_stat_activity and the server's log.
DATABASES["default"].setdefault("OPTIONS", {}).setdefault("application_name", f"boxoffice-{BOXOFFICE_POOL}")
# Parameters bound by the server and statements prepared after their fifth use on a
# connection: the hot path's statements are parsed and planned once per connection
# instead of at every request (measured: about a third of PostgreSQL's CPU per sale).
DATABASES["default"]["OPTIONS"].setdefault("server_side_binding", env_bool("DB_SERVER_SIDE_BINDING", True))
DATABASES["default"]["OPTIONS"].setdefault("prepare_threshold", int(os.environ.get("DB_PREPARE_THRESHOLD", "5")))
DATABASES["default"].setdefault("TEST", {})["NAME"] = os.environ.get(
    "DATABASE_TEST_NAME", "test_boxoffice"
)

REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:16379/0")
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": os.environ.get("CACHE_URL", REDIS_URL.rsplit("/", 1)[0] + "/1"),
        "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "boxoffice"),
        # Redis away: the cache fails fast and the database answers (sales.availability).
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 2},
    }
}

# Set when a trusted load balancer appends the client's address to X-Forwarded-For.
BEHIND_PROXY = env_bool("BEHIND_PROXY", False)

# The waiting room's own Redis database (the queue, passes, rate limits).
WAITING_ROOM_REDIS_URL = os.environ.get("WAITING_ROOM_REDIS_URL", REDIS_URL.rsplit("/", 1)[0] + "/4")

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "staff-home"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("fr", "Français")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("BOXOFFICE_TIME_ZONE", "America/Toronto")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Served by WhiteNoise from the app servers; straight from the source folders in development.
WHITENOISE_USE_FINDERS = DEBUG
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend"
)
EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH", str(STACK_DIR / "mail"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Box office <tickets@localhost>")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
# A send that hangs gives up well within a confirmation's claim (see sales.notifications).
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "30"))
CONFIRMATION_CLAIM_SECONDS = int(os.environ.get("CONFIRMATION_CLAIM_SECONDS", "120"))

# Celery: Redis is the broker. Results are not needed (tasks record their effect on the order).
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", REDIS_URL)
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# The worker waits for a broker that went away for as long as it takes (it is restarted by
# its supervisor if it dies all the same); a web process asking for a task gives up fast,
# since the outbox sweep sends what it asked for anyway.
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 1}
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2,
                                    "interval_max": 0.2}
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    # Confirmations a sale's own request for the task did not bring (a lost message, a
    # failed send): see sales.notifications.
    "send-confirmations": {
        "task": "sales.tasks.send_confirmations",
        "schedule": float(os.environ.get("CONFIRMATION_SWEEP_SECONDS", "30")),
    },
    "release-expired-holds": {
        "task": "sales.tasks.release_expired_holds",
        "schedule": float(os.environ.get("HOLD_SWEEP_SECONDS", "30")),
    },
    "fail-abandoned-orders": {
        "task": "sales.tasks.fail_abandoned_orders",
        "schedule": 300.0,
    },
    "release-lapsed-reservations": {
        "task": "sales.tasks.release_lapsed_reservations",
        "schedule": 60.0,
    },
    "refresh-waiting-rooms": {
        "task": "sales.tasks.refresh_waiting_rooms",
        "schedule": 5.0,
    },
    "run-ballots": {
        "task": "sales.tasks.run_ballots",
        "schedule": 60.0,
    },
    "send-reservation-reminders": {
        "task": "sales.tasks.send_reservation_reminders",
        "schedule": 600.0,
    },
}

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "sales.api.permissions.TokenWithRoles",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "EXCEPTION_HANDLER": "sales.api.errors.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Box office API",
    "DESCRIPTION": "One seat inventory for the shop, the counter, the phone and integrations.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI assets are served by the project (no CDN).
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# Public base URL used in emails (private order links).
SITE_URL = os.environ.get("SITE_URL", f"http://127.0.0.1:{os.environ.get('BOXOFFICE_WEB_PORT', '8000')}")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}

if not DEBUG:
    SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", True)
