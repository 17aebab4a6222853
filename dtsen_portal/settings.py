"""Settings for the DTSEN portal, read from the environment.

One module for every environment. Defaults are safe for a developer's first run
(SQLite, in-process tasks, console e-mail); production sets ``DEBUG=0`` plus a real
``SECRET_KEY``, ``ALLOWED_HOSTS``, ``DATABASE_URL`` and ``REDIS_URL``. A malformed value
fails at start-up (django-environ raises) rather than silently falling back.
"""

import shutil
import sys
from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONE as CSP_NONE
from csp.constants import SELF as CSP_SELF
from csp.constants import UNSAFE_INLINE as CSP_UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env") if (BASE_DIR / ".env").exists() else None

DEBUG = env.bool("DEBUG", default=True)
_DEV_SECRET = "dev-only-insecure-secret-key-change-me"  # noqa: S105 - development default
SECRET_KEY = env.str("SECRET_KEY", default=_DEV_SECRET)
if not DEBUG and SECRET_KEY == _DEV_SECRET:
    raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG=0.")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "registrations",
    "verification",
    "eligibility",
    "captcha",
    "rest_framework_api_key",
    "lookup",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "dtsen_portal.middleware.DatabaseUnavailableMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "dtsen_portal.middleware.IndonesianUnlessChosenMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "dtsen_portal.security.AccountSecurityMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes asks: turns a lockout into its page
]

ROOT_URLCONF = "dtsen_portal.urls"
WSGI_APPLICATION = "dtsen_portal.wsgi.application"

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
    {
        # Only fragments on a hot path (the lookup's results), from <app>/jinja2/; see dtsen_portal/jinja.py.
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "NAME": "jinja2",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {"environment": "dtsen_portal.jinja.environment", "autoescape": True},
    },
]

# --- Database -------------------------------------------------------------------
#: ``manage.py runserver`` (``make run``), not gunicorn or a worker.
RUNNING_DEVSERVER = sys.argv[1:2] == ["runserver"]
# PostgreSQL is the system of record; SQLite is the zero-setup default.
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Wait for a writer instead of failing at once with "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
else:
    # The development server runs every request in a new thread: a persistent connection
    # would outlive its thread unused, one per request, until PostgreSQL refuses everyone.
    # Behind a pool (PgBouncer in transaction mode, docs/deploy.md) set CONN_MAX_AGE=0 too.
    DATABASES["default"]["CONN_MAX_AGE"] = 0 if RUNNING_DEVSERVER else env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # Behind PgBouncer in transaction mode a cursor cannot outlive its transaction.
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = env.bool("DB_BEHIND_POOLER", default=False)
    DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = env.int("DB_CONNECT_TIMEOUT", default=5)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "registrations.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Language and time ------------------------------------------------------------
LANGUAGE_CODE = "id"
LANGUAGES = [("id", _("Bahasa Indonesia")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Jakarta"
USE_I18N = True
USE_TZ = True

# --- Static files -------------------------------------------------------------------
# Every front-end asset comes from an installed package (npm: bootstrap, htmx.org,
# bootstrap-icons), gathered by collectstatic: the portal must work without a CDN.
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
NODE_MODULES = BASE_DIR / "node_modules"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/bootstrap", NODE_MODULES / "bootstrap" / "dist"),
    ("vendor/bootstrap-icons", NODE_MODULES / "bootstrap-icons" / "font"),
    ("vendor/htmx", NODE_MODULES / "htmx.org" / "dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
# Uploaded personal documents live outside any public URL; views that check
# permission stream them (there is deliberately no MEDIA_URL route).
MEDIA_ROOT = env.path("PRIVATE_MEDIA_ROOT", default=BASE_DIR / "private_media")

# --- Forms and UI -------------------------------------------------------------------
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- E-mail -------------------------------------------------------------------------
EMAIL_BACKEND = env.str(
    "EMAIL_BACKEND",
    default="django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_FILE_PATH = env.str("EMAIL_FILE_PATH", default=str(BASE_DIR / "sent_emails"))
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Portal DTSEN <noreply@dtsen.local>")
# Where e-mails sent from background work (no request at hand) point residents.
PORTAL_BASE_URL = env.str("PORTAL_BASE_URL", default="http://127.0.0.1:8000").rstrip("/")

# --- Celery ---------------------------------------------------------------------------
# With REDIS_URL set, tasks go to Redis and a worker runs them. Without it they run
# in-process (eager), so a first run needs nothing installed.
REDIS_URL = env.str("REDIS_URL", default="")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True  # a worker killed mid-task leaves the message to be redelivered
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Publishing never holds a request: one short attempt, no retry loop (Celery's default
# retried for about 19 s a task). Work that must not be lost is in the outbox or a job row
# first; what a failed publish leaves is swept, retried or sent in-process (tasks.py).
CELERY_BROKER_CONNECTION_TIMEOUT = 1
CELERY_TASK_PUBLISH_RETRY = False
# Longer than the longest task, so Redis does not redeliver a task that is still running.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600),
    "socket_connect_timeout": 1,
    # How kombu reconnects before a publish: at once and once (its default waits 2 s).
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
}

CELERY_BEAT_SCHEDULE = {
    # The outbox sweeper: follow-ups the broker missed, or whose worker died.
    "sweep-followups": {"task": "registrations.tasks.sweep_followups", "schedule": 60.0},
    "eligibility-rescoring": {"task": "eligibility.tasks.scheduled_rescoring", "schedule": 24 * 3600.0},
}


# --- Cache ----------------------------------------------------------------------------
def _cache_location(broker_url: str) -> str:
    """The broker's Redis server, next database: clearing the cache must never flush
    queued tasks (``cache.clear()`` is FLUSHDB)."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(broker_url)
    db = int(parts.path.strip("/") or 0)
    return urlunsplit(parts._replace(path=f"/{(db + 1) % 16}"))


if env.str("CACHE_URL", default=""):
    CACHES = {"default": env.cache_url("CACHE_URL")}
elif REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": _cache_location(REDIS_URL),
            # An unreachable cache answers within a second (a 503 page), never hangs a request.
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "dtsen"}}

# --- API ------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "registrations.api.errors.exception_handler",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    # Client address for throttling: the number of reverse proxies in front (nginx = 1).
    # 0 means REMOTE_ADDR, so a client cannot pick its own address with X-Forwarded-For.
    "NUM_PROXIES": env.int("NUM_PROXIES", default=0),
    "PAGE_SIZE": 50,
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "DTSEN Portal API",
    "DESCRIPTION": "Usulan DTSEN, verifikasi, dan cek status. Regions are public; everything else is region-scoped.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "ProposalStatusEnum": "registrations.models.ProposalStatus",
        "SexEnum": "registrations.models.Sex",
        "IdentityStatusEnum": "registrations.models.IdentityStatus",
    },
}

# --- Public lookup (cek bansos) and objections (sanggah): see docs/lookup.md ------------------
# LOOKUP_BENCH is set only by bench/lookup.py: captcha test mode and the floor view.
LOOKUP_BENCH = env.bool("LOOKUP_BENCH", default=False)
CAPTCHA_LENGTH = 4
CAPTCHA_TIMEOUT = 10  # minutes
CAPTCHA_FONT_SIZE = 30
CAPTCHA_LETTER_ROTATION = (-25, 25)
CAPTCHA_CHALLENGE_FUNCT = "lookup.captcha.challenge"
CAPTCHA_FLITE_PATH = shutil.which("flite")  # the audio alternative, where flite is installed
CAPTCHA_TEST_MODE = LOOKUP_BENCH
RATELIMIT_ENABLE = env.bool("RATELIMIT_ENABLE", default=True)  # the bench keeps them, with high rates
LOOKUP_RATE_PER_IP = env.str("LOOKUP_RATE_PER_IP", default="20/m")
LOOKUP_RATE_PER_NAME = env.str("LOOKUP_RATE_PER_NAME", default="5/h")
LOOKUP_API_RATE = env.str("LOOKUP_API_RATE", default="120/m")
LOOKUP_PUBLIC_DESIL = env.bool("LOOKUP_PUBLIC_DESIL", default=True)
SANGGAH_PER_DAY = env.int("SANGGAH_PER_DAY", default=3)
CELERY_BEAT_SCHEDULE["lookup-sweep"] = {"task": "lookup.tasks.sweep_lookup", "schedule": 300.0}
CELERY_BEAT_SCHEDULE["lookup-purge-captchas"] = {"task": "lookup.tasks.purge_captchas", "schedule": 300.0}

# --- Security (see dtsen_portal/security.py and README "Keamanan") ----------------------
# Login throttling: django-axes first, so a locked-out account is refused before any
# password check; then Django's own backend.
AUTHENTICATION_BACKENDS = [
    "dtsen_portal.security.RequestAxesBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
# Per account (from any address): guessing one password from many addresses is also stopped;
# the cool-off bounds what a deliberate lock-out of someone else's account can cost them.
# Not per address: staff of one office share a NAT address, and five typos there would lock
# out the whole office. Per-address limits live in nginx (limit_req on /akun/masuk/, see
# docs/deploy.md) and DRF's throttle on the token login; hence axes.W006 is silenced.
AXES_LOCKOUT_PARAMETERS = ["username"]
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "dtsen_portal.security.lockout_response"
AXES_SENSITIVE_PARAMETERS = ["password", "otp_token"]
AXES_VERBOSE = False
# TOTP second factor (django-otp): the issuer shown in authenticator apps.
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="Portal DTSEN")
# Nobody, admins included, can read another account's TOTP secret or QR code in the admin
# (an admin resets a lost phone by deleting the device; the owner enrols again).
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
# Sessions: rotated at login (Django), idle and absolute limits (security middleware).
SESSION_IDLE_TIMEOUT_STAFF = env.int("SESSION_IDLE_TIMEOUT_STAFF", default=30 * 60)
SESSION_IDLE_TIMEOUT_RESIDENT = env.int("SESSION_IDLE_TIMEOUT_RESIDENT", default=2 * 3600)
SESSION_ABSOLUTE_TIMEOUT = env.int("SESSION_ABSOLUTE_TIMEOUT", default=12 * 3600)
# Database sessions whose owner record follows a key rotation (dtsen_portal/sessions.py).
SESSION_ENGINE = "dtsen_portal.sessions"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_TIMEOUT
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
# Retention of personal data (docs/retention.md): `manage.py apply_retention`, daily (systemd timer).
RETENTION_UNACTIVATED_SIGNUP_DAYS = env.int("RETENTION_UNACTIVATED_SIGNUP_DAYS", default=30)
RETENTION_REJECTED_IDENTITY_DAYS = env.int("RETENTION_REJECTED_IDENTITY_DAYS", default=90)
RETENTION_APPEAL_WINDOW_DAYS = env.int("RETENTION_APPEAL_WINDOW_DAYS", default=30)
RETENTION_REJECTED_PROPOSAL_DAYS = env.int("RETENTION_REJECTED_PROPOSAL_DAYS", default=60)
RETENTION_ACCESS_LOG_YEARS = env.int("RETENTION_ACCESS_LOG_YEARS", default=5)
RETENTION_LOGIN_LOG_DAYS = env.int("RETENTION_LOGIN_LOG_DAYS", default=365)
# Uploaded population files, audit extracts and their reports (folders under MEDIA_ROOT,
# registered with retention by the verification app).
RETENTION_WORK_FILE_DAYS = env.int("RETENTION_WORK_FILE_DAYS", default=7)
# Content-Security-Policy (django-csp 4): scripts only from our own static files, no
# inline script anywhere. Inline *styles* stay allowed: a few templates use style=""
# and Redoc injects its styles; a style cannot run code.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [CSP_SELF],
        "script-src": [CSP_SELF],
        "style-src": [CSP_SELF, CSP_UNSAFE_INLINE],
        "img-src": [CSP_SELF, "data:"],
        "font-src": [CSP_SELF],
        "connect-src": [CSP_SELF],
        "worker-src": [CSP_SELF, "blob:"],
        "object-src": [CSP_NONE],
        "base-uri": [CSP_SELF],
        "form-action": [CSP_SELF],
        "frame-ancestors": [CSP_NONE],
    },
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

# --- Logging ------------------------------------------------------------------------------
# Every handler carries the NIK/KK mask (dtsen_portal/logging.py); the "django" and
# "django.server" loggers are redefined so Django's default handlers (without it) go.
DEFAULT_EXCEPTION_REPORTER = "dtsen_portal.logging.MaskingExceptionReporter"
ADMINS = [("Admin", a) for a in env.list("ADMINS", default=[])]
SERVER_EMAIL = env.str("SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)
CELERY_WORKER_HIJACK_ROOT_LOGGER = False  # workers log through the handlers below (masked)
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "mask_personal_numbers": {"()": "dtsen_portal.logging.MaskPersonalNumbers"},
        "require_debug_false": {"()": "django.utils.log.RequireDebugFalse"},
    },
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["mask_personal_numbers"]},
        "mail_admins": {
            "class": "django.utils.log.AdminEmailHandler",
            "filters": ["mask_personal_numbers", "require_debug_false"],
            "level": "ERROR",
            "include_html": False,
        },
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django": {"handlers": ["console", "mail_admins"], "level": "INFO", "propagate": False},
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.db.backends": {"level": "WARNING"},
    },
}
