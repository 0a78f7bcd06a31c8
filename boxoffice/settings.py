"""Settings come from the environment; the defaults point at the local stack
that `make run` / `make test` start (see tooling/stack.py)."""

import os
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF, UNSAFE_INLINE

BASE_DIR = Path(__file__).resolve().parent.parent
STACK_DIR = Path(os.environ.get("BOXOFFICE_STACK_DIR", BASE_DIR / ".stack"))


def env_bool(name: str, default: bool) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


# Off unless asked for: a forgotten variable must not serve debug pages to the internet.
# When it is on, they still reach loopback clients only (boxoffice.safety).
DEBUG = env_bool("DJANGO_DEBUG", False)
# Without DJANGO_SECRET_KEY and with DEBUG off the key stays empty, which Django refuses to
# sign anything with (sessions, CSRF, passes all fail loudly), and the web application
# refuses to start (boxoffice.wsgi); commands that sign nothing (migrate, makemigrations
# --check) still run.
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY and DEBUG:
    SECRET_KEY = "dev-only-insecure-key-never-use-in-production"
# Keys being rotated out: what they signed (staff sessions, waiting-room passes and places)
# is still accepted; only DJANGO_SECRET_KEY signs. Comma-separated.
SECRET_KEY_FALLBACKS = [k.strip() for k in os.environ.get("DJANGO_SECRET_KEY_FALLBACKS", "").split(",") if k.strip()]
ALLOWED_HOSTS = os.environ.get("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]").split(",")
CSRF_TRUSTED_ORIGINS = [
    o for o in os.environ.get("DJANGO_CSRF_TRUSTED_ORIGINS", "").split(",") if o
]
CSRF_FAILURE_VIEW = "sales.views.csrf_failure"  # a readable page in the site's own shape

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",  # unaccent: a name typed without its accents finds it
    "django.forms",  # Django's form templates, found beside ours (FORM_RENDERER)
    "rest_framework",
    "rest_framework.authtoken",
    "axes",
    "csp",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "template_partials",
    "events",
    "sales",
    "boxoffice.apps.BoxOfficeConfig",
]

# "all" (one pool, development), or "public" / "staff" (see boxoffice/pools.py).
BOXOFFICE_POOL = os.environ.get("BOXOFFICE_POOL", "all")

MIDDLEWARE = [
    # First, so that what it measures is the whole of Django's handling of the request.
    "boxoffice.pools.BuyerLatencyMiddleware",
    "boxoffice.pools.PrivateAnswersMiddleware",  # then every answer, refusals too, is marked
    "boxoffice.safety.LoopbackDebugMiddleware",
    "boxoffice.safety.RefuseHostileInputMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "boxoffice.pools.PoolMiddleware",
    "boxoffice.shop_load.ShopLoadMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "boxoffice.safety.ApiSlashMiddleware",  # between these two: see its docstring
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "boxoffice.signin.StaffSessionMiddleware",
    "boxoffice.safety.MethodNotAllowedPageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "boxoffice.safety.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
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

# Django's form templates, and ours in templates/ where they redraw one (the admin's links
# beside a chooser); a date and time typed in two boxes names each box (boxoffice.forms).
FORM_RENDERER = "boxoffice.forms.FormRenderer"

# Unset: the local stack's, on the port it was started on (tooling.stack).
DATABASE_URL = os.environ.get(
    "DATABASE_URL", f"postgres://boxoffice@127.0.0.1:{os.environ.get('BOXOFFICE_PG_PORT', '15432')}/boxoffice"
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
# Behind PgBouncer in transaction mode (1.18 keeps no prepared statement across
# transactions), DB_PREPARE_THRESHOLD=off: parameters still bound by the server, nothing
# prepared (docs/scaling.md).
_prepare = os.environ.get("DB_PREPARE_THRESHOLD", "5").strip().lower()
DATABASES["default"]["OPTIONS"].setdefault(
    "prepare_threshold", None if _prepare in {"off", "none", ""} else int(_prepare))
DATABASES["default"].setdefault("TEST", {})["NAME"] = os.environ.get(
    "DATABASE_TEST_NAME", "test_boxoffice"
)

# A streaming replica for display reads (seat maps, catalogue counts): sales.replica
# sends them there; holds, orders and payments always use the primary.
if os.environ.get("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = {
        **dj_database_url.parse(os.environ["DATABASE_REPLICA_URL"],
                                conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")), conn_health_checks=True),
        "ENGINE": DATABASES["default"]["ENGINE"],
        "OPTIONS": {**DATABASES["default"]["OPTIONS"]},
        "TEST": {"MIRROR": "default"},
    }
DATABASE_ROUTERS = ["sales.replica.ReplicaRouter"]

REDIS_URL = os.environ.get("REDIS_URL", f"redis://127.0.0.1:{os.environ.get('BOXOFFICE_REDIS_PORT', '16379')}/0")
# Display counts (sales.availability) are counted again after a change at most this often
# per performance: in an on-sale rush, once a second instead of at nearly every page.
AVAILABILITY_REFRESH_SECONDS = float(os.environ.get("AVAILABILITY_REFRESH_SECONDS", "1"))
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

# Per-address limits on holds and payments (see sales.policy), and the cap on places held
# per network below (a buyer let in by a queue counts them on their pass instead:
# waiting_room.pass_holder). Off only for the benchmarks, whose thousands of simulated
# buyers share one address.
RATE_LIMITS = env_bool("BOXOFFICE_RATE_LIMITS", True)

# The most places one client network (an IPv4 address, an IPv6 /56) may hold at once of
# a performance online, in full orders of the performance's ticket limit (sales.network_holds):
# a family's order, the new choice that replaces it (held before the old one is let go), and
# a second buyer at the same address. Staff are not capped; 0 turns the cap off. Where many
# buyers share one address (a mobile carrier, a campus) without a queue, raise it (behind
# a queue, each buyer's pass has the cap).
HELD_BASKETS_PER_NETWORK = int(os.environ.get("HELD_BASKETS_PER_NETWORK", "3"))

# The shop turns light by itself when its buyers' requests slow down or fail
# (sales.shop_mode); off, only the organizer's choice in the admin changes the mode.
SHOP_MODE_AUTOMATIC = env_bool("BOXOFFICE_SHOP_MODE_AUTOMATIC", True)

# The waiting room's own Redis database (the queue, passes, rate limits).
WAITING_ROOM_REDIS_URL = os.environ.get("WAITING_ROOM_REDIS_URL", REDIS_URL.rsplit("/", 1)[0] + "/4")

# Automatic admission (sales.admission) keeps buyers' p99 under this many milliseconds.
ADMISSION_TARGET_P99_MS = int(os.environ.get("ADMISSION_TARGET_P99_MS", "400"))
# New visitors a minute one address may bring into a queue (each further one is asked to
# come back in a minute). A mobile carrier or a campus puts many people behind one address:
# raise it where the venue's public comes through such networks. It stays per address (a
# joining visitor has no pass yet): it bounds how many passes one address gathers.
QUEUE_NEW_VISITORS_PER_NETWORK = int(os.environ.get("QUEUE_NEW_VISITORS_PER_NETWORK", "60"))

# Sign-in throttling (django-axes): the axes backend refuses a locked-out client before
# any password is hashed. See boxoffice.signin for who is locked out and for how long.
# StaffBackend reads a session's user with their staff roles in one query; Django's own
# model backend stays listed for the sessions it signed in before. A username and password
# refused by StaffBackend are refused for good: a backend listed after it (a directory, a
# single sign-on) is never asked for them, so such a backend goes before it.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "boxoffice.signin.StaffBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_HANDLER = "boxoffice.signin.SignInHandler"
# One account from one address (so an attacker elsewhere cannot lock the clerk out), and
# one address whatever the accounts (so guessing across accounts is throttled too): the
# handler gives each its own limit. An IPv6 caller's address is its /64 network
# (sales.waiting_room.client_network): otherwise each guess could come from a new one.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_FAILURE_LIMIT = int(os.environ.get("SIGNIN_FAILURE_LIMIT", "5"))
AXES_ADDRESS_FAILURE_LIMIT = int(os.environ.get("SIGNIN_ADDRESS_FAILURE_LIMIT", "30"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("SIGNIN_COOLOFF_MINUTES", "15")))
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "sales.waiting_room.client_network"
AXES_LOCKOUT_CALLABLE = "boxoffice.signin.locked_out"
# Masked in the audit records and the log (a password never is stored).
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "supervisor_password"]
AXES_ENABLE_ACCESS_FAILURE_LOG = True

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "staff-home"
# Signing out lands on the staff sign-in, ready for the next member of staff.
LOGOUT_REDIRECT_URL = "login"
# A staff sign-in (any role, the admin's too) is for a shared computer: its cookie ends when
# the browser closes, and the session ends a working day after signing in, or after this
# long without a request (boxoffice.signin.StaffSessionMiddleware). A shopper's session
# (the basket) keeps Django's two weeks.
STAFF_SESSION_MAX_AGE = timedelta(hours=int(os.environ.get("STAFF_SESSION_HOURS", "12")))
STAFF_SESSION_IDLE = timedelta(minutes=int(os.environ.get("STAFF_SESSION_IDLE_MINUTES", "60")))

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("fr", "Français")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# A moment Django writes by itself (a read-only date and time in the admin) is written as
# the box office's pages write one: boxoffice/formats.
FORMAT_MODULE_PATH = ["boxoffice.formats"]
TIME_ZONE = os.environ.get("BOXOFFICE_TIME_ZONE", "America/Toronto")
# The box office's currency (ISO 4217: CAD, EUR), a new price zone's: amounts not of an
# order or a zone (a drawer's float, a shift's takings) are written in it.
BOXOFFICE_CURRENCY = os.environ.get("BOXOFFICE_CURRENCY", "CAD").strip().upper()
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Served by WhiteNoise from the app servers (after `collectstatic`); straight from the
# source folders in development, or where WHITENOISE_USE_FINDERS says so.
WHITENOISE_USE_FINDERS = env_bool("WHITENOISE_USE_FINDERS", DEBUG)
# collectstatic writes a gzip copy of each file beside it, which WhiteNoise serves to
# browsers that accept it: the shop's scripts and styles cross the wire compressed.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Locally, a folder with one file per message (sales.mail); in production, SMTP.
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "sales.mail.MessageFolderBackend")
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
    # Card payments left unconfirmed (a lost webhook, a crash between charge and sale).
    "reconcile-payments": {
        "task": "sales.tasks.reconcile_payments",
        "schedule": float(os.environ.get("PAYMENT_RECONCILE_SECONDS", "60")),
    },
    # Orders of a cancelled performance the cancellation's own task left to pay back.
    "refund-cancelled": {
        "task": "sales.tasks.refund_cancelled",
        "schedule": 120.0,
    },
    "release-lapsed-reservations": {
        "task": "sales.tasks.release_lapsed_reservations",
        "schedule": 60.0,
    },
    "refresh-waiting-rooms": {
        "task": "sales.tasks.refresh_waiting_rooms",
        "schedule": 5.0,
    },
    "forget-past-queues": {
        "task": "sales.tasks.forget_past_queues",
        "schedule": 3600.0,
    },
    "run-ballots": {
        "task": "sales.tasks.run_ballots",
        "schedule": 60.0,
    },
    "clear-expired-sessions": {
        "task": "sales.tasks.clear_expired_sessions",
        "schedule": 3600.0,
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
    "DEFAULT_PARSER_CLASSES": ["sales.api.parsers.JsonParser"],
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Box office API",
    # What the reference page (/api/docs/) opens with: enough to make a first sale.
    "DESCRIPTION": """One seat inventory for the shop, the counter, the phone and integrations.

**Signing in.** Buyers send nothing: they read the catalogue and buy online. Staff send
`Authorization: Token <key>` (an administrator makes the key); the token's role chooses its
channel (a counter clerk sells at the counter, a phone operator by phone) and what it may do.

**A sale in two steps.** `POST /api/v1/holds/` holds places (`places` by id, or `zone` and
`quantity` for the best available, or `section` and `quantity` standing) for a few minutes and
answers the hold's `token`; `POST /api/v1/orders/` with that `hold`, the `customer` and a
`payment` pays for them (online, `card` with the token of the payment provider's card field:
no card number is ever accepted; 402 `payment_action_required` with a `client_secret` when
the bank asks, then `confirm-payment/`). The order's answer has a `link`, whose last part is
its private token: `GET /api/v1/orders/{code}/?token=...` reads it without an account.

**Idempotency-Key.** Send one (a random UUID) on `POST holds/`, `POST orders/` and
`orders/{code}/pay/`: a retry with the same key and body gets the first answer
(`Idempotent-Replayed: true`), never a second sale.

**Errors.** Every error is `{"error": {"code": ..., "message": ..., ...}}` (the members an
error may hold and when: `ErrorDetailOut` below), the message in the request's
`Accept-Language` (English or French). 409 `unavailable`: those places are taken, ask for
others. 429 `rate_limited` and 503 `service_unavailable` carry `Retry-After`: send the same
request again then, with the same key (a 429's message says those seconds too: "try again in
42 seconds"). A 503 may come from any call (PostgreSQL or Redis out
of reach). A body not sent as `application/json` is 415 `unsupported_media_type`, and a method
a path does not list is 405 `method_not_allowed` with `Allow` naming those it does (the
response `MethodNotAllowed` below).""",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI assets are served by the project (no CDN).
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # An order's status, in every answer that carries an order (OrderOut, RefundOut); a
    # ticket's, in every answer that carries a ticket (TicketOut, TicketAtDoorOut).
    "ENUM_NAME_OVERRIDES": {"OrderOutStatusEnum": "sales.models.Order.Status",
                            "TicketOutStatusEnum": "sales.models.Ticket.Status"},
    # A method a path does not list is refused before any operation (no operation of the
    # schema can name it): one response, in the API's error shape, for every path.
    "APPEND_COMPONENTS": {"responses": {"MethodNotAllowed": {
        "description": "method_not_allowed: the path does not take this method",
        "headers": {"Allow": {"schema": {"type": "string"}, "required": True,
                              "description": "the methods the path takes, comma-separated"}},
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}},
    }}},
}

# Public base URL used in emails (private order links).
SITE_URL = os.environ.get("SITE_URL", f"http://127.0.0.1:{os.environ.get('BOXOFFICE_WEB_PORT', '8000')}")
# Where staff pages live (the staff pool's address): a staff page asked of the public
# address says so.
STAFF_SITE_URL = os.environ.get("STAFF_SITE_URL",
                                f"http://127.0.0.1:{int(os.environ.get('BOXOFFICE_WEB_PORT', '8000')) + 1}")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"refusals_in_one_line": {"()": "django.utils.log.CallbackFilter",
                                         "callback": "ext://boxoffice.logs.refusals_in_one_line"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["refusals_in_one_line"]}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}

if not DEBUG:
    SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", True)

# --- security headers -----------------------------------------------------------------
# HSTS goes only on answers to requests that came over TLS (behind the load balancer:
# X-Forwarded-Proto, which it sets). Not on plain-HTTP development servers.
SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", "0" if DEBUG else str(365 * 24 * 3600)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", False)
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Scripts only from this site (or an inline script carrying the page's nonce); styles may
# be inline (the seat map colours its zones with style attributes). The API answers JSON
# and its docs page (Swagger UI) runs an inline script of its own: /api/ is left out.
# Card payments through Stripe: the card is typed into the provider's own field (Stripe.js)
# and never reaches the box office. With STRIPE_API_BASE (the local stack's localstripe)
# the library and the page's script talk to that server instead of Stripe.
STRIPE_SECRET_KEY = os.environ.get("STRIPE_SECRET_KEY", "")
STRIPE_PUBLISHABLE_KEY = os.environ.get("STRIPE_PUBLISHABLE_KEY", "")
STRIPE_WEBHOOK_SECRET = os.environ.get("STRIPE_WEBHOOK_SECRET", "")
STRIPE_API_BASE = os.environ.get("STRIPE_API_BASE", "").rstrip("/")
STRIPE_JS_URL = f"{STRIPE_API_BASE}/js.stripe.com/v3/" if STRIPE_API_BASE else "https://js.stripe.com/v3/"
_STRIPE_ORIGINS = [STRIPE_API_BASE] if STRIPE_API_BASE else ["https://js.stripe.com", "https://api.stripe.com",
                                                               "https://hooks.stripe.com"]
# How long a call to the provider may take (seconds), and how many times a connection that
# failed or timed out is tried again (with the same idempotency key).
STRIPE_TIMEOUT_SECONDS = float(os.environ.get("STRIPE_TIMEOUT_SECONDS", "20"))
# Cash is handed over to the nearest coin: 0.05 in Canada, which has had no cent since
# 2013 (card payments stay to the cent); 0.01 where cents are still paid.
CASH_ROUNDING = Decimal(os.environ.get("CASH_ROUNDING", "0.05"))
# The largest banknote in common use (100 in Canada): cash tendered beyond the amount due
# and one such note is a typing slip (2000 for 20.00), refused before any change is given.
CASH_LARGEST_NOTE = Decimal(os.environ.get("CASH_LARGEST_NOTE", "100"))
STRIPE_NETWORK_RETRIES = int(os.environ.get("STRIPE_NETWORK_RETRIES", "2"))
# The built-in test card (4242...) takes card numbers: for load tests and benchmarks only,
# which turn it on themselves. Never with real keys.
TEST_CARD_PROVIDER = env_bool("PAYMENT_TEST_CARD", False) and not STRIPE_SECRET_KEY.startswith("sk_live_")

CONTENT_SECURITY_POLICY = {
    "EXCLUDE_URL_PREFIXES": ["/api/"],
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE, *_STRIPE_ORIGINS],
        "connect-src": [SELF, *_STRIPE_ORIGINS],
        "frame-src": [SELF, *_STRIPE_ORIGINS],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

# Request bodies: forms and JSON up to this size (a larger one is refused with 413 before
# it is read); uploads (seating plans) up to UPLOAD_MAX_BYTES.
DATA_UPLOAD_MAX_MEMORY_SIZE = int(os.environ.get("REQUEST_BODY_MAX_BYTES", str(2_621_440)))
UPLOAD_MAX_BYTES = int(os.environ.get("UPLOAD_MAX_BYTES", str(10 * 1024 * 1024)))
