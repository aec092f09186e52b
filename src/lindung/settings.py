"""Django settings for Lindung.

Everything that differs between machines comes from the environment, so the same code runs the
embedded SQLite demo (`make run`) and a PostgreSQL production site.
"""

import os
import tempfile
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

PACKAGE_DIR = Path(__file__).resolve().parent
_CHECKOUT = PACKAGE_DIR.parent.parent
# Local files (demo database, generated keys) live in the checkout's var/ whatever the working
# directory; an installed package uses ./var unless LINDUNG_VAR_DIR says otherwise.
_DEFAULT_VAR = _CHECKOUT / "var" if (_CHECKOUT / "pyproject.toml").exists() else Path.cwd() / "var"
VAR_DIR = Path(os.environ.get("LINDUNG_VAR_DIR", _DEFAULT_VAR)).resolve()
# What Lindung writes in var/ (the SQLite database and its journals, keys, uploads) is readable by
# its own user only: files are created 0600 and directories 0700.
os.umask(0o077)


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = env_bool("LINDUNG_DEBUG", False)
# The demo (`make run`): the embedded SQLite database in var/, with keys generated beside it and a
# banner saying so. Anything else must be given its keys (see lindung.core.checks).
LINDUNG_DEMO = env_bool("LINDUNG_DEMO", not os.environ.get("DATABASE_URL"))
SECRET_KEY = os.environ.get("LINDUNG_SECRET_KEY") or os.environ.get("DJANGO_SECRET_KEY")
if not SECRET_KEY:
    # The demo needs no configuration; a generated key kept in var/ survives restarts.
    from lindung.core.keyfiles import local_secret

    SECRET_KEY = local_secret(VAR_DIR / "secret.key")
    LINDUNG_SECRET_KEY_GENERATED = True  # `lindung check --deploy` refuses it

ALLOWED_HOSTS = [h.strip() for h in os.environ.get("LINDUNG_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("LINDUNG_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

# Apps of the project, in dependency order; URL, API, demo and navigation discovery walk this list.
LINDUNG_APPS = [
    "lindung.core",
    "lindung.standard",
    "lindung.cases",
    "lindung.screening",
    "lindung.referrals",
    "lindung.maritime",
    "lindung.sharing",
    "lindung.frameworks",
    "lindung.engagement",
    "lindung.linkage",
    "lindung.stats",
    "lindung.notifications",
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
    "drf_spectacular",
    "django_filters",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "django_tasks",
    "django_tasks_db",
    *LINDUNG_APPS,
    # Last, so that templates of Lindung's apps override Django's widget templates (FORM_RENDERER).
    "django.forms",
]

MIDDLEWARE = [
    "lindung.core.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "lindung.core.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "lindung.core.middleware.SessionTimeoutMiddleware",
    "lindung.core.middleware.AccountGateMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "lindung.core.method_not_allowed.MethodNotAllowedPageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

# Widgets render with the project's template engine, so that core's faster select.html applies.
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

ROOT_URLCONF = "lindung.urls"
WSGI_APPLICATION = "lindung.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "lindung.core.context_processors.navigation",
                "lindung.core.context_processors.demo",
                "lindung.notifications.context_processors.unread",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'lindung.sqlite3'}",
        conn_max_age=int(os.environ.get("LINDUNG_DB_CONN_MAX_AGE", "0")),
    )
}
if not os.environ.get("DATABASE_URL"):
    # SQLite creates the database file but not its directory.
    VAR_DIR.mkdir(mode=0o700, parents=True, exist_ok=True)
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # WAL lets the demo server read while a background task writes.
    DATABASES["default"].setdefault("OPTIONS", {})["init_command"] = "PRAGMA journal_mode=WAL;"
    DATABASES["default"]["OPTIONS"]["transaction_mode"] = "IMMEDIATE"
    # Tests get a file, not Django's shared-cache memory database: in shared cache a reader in
    # one thread makes a writer in another fail at once ("table is locked") instead of waiting,
    # which background imports hit under load. One file per process, so that two test runs (or
    # xdist workers) never share one.
    DATABASES["default"].setdefault("TEST", {}).setdefault(
        "NAME", str(Path(tempfile.gettempdir()) / f"lindung-test-{os.getpid()}.sqlite3")
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "core.User"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "core:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "core:login"

# Lockout after repeated failures, per username and address, for one hour.
AXES_FAILURE_LIMIT = int(os.environ.get("LINDUNG_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 1
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False
# Password spraying (one guess for each of many usernames) never trips the limit above: from one
# address, this many failures within the window, whatever the usernames, refuse further sign-ins
# from it until the window has passed (core.views.LoginView).
LINDUNG_ADDRESS_FAILURE_LIMIT = int(os.environ.get("LINDUNG_LOGIN_ADDRESS_FAILURE_LIMIT", "20"))
LINDUNG_ADDRESS_FAILURE_WINDOW = 15 * 60  # seconds

# Sessions: 30 minutes idle, 12 hours at most.
SESSION_IDLE_TIMEOUT = 30 * 60
SESSION_SEEN_EVERY = 60  # seconds between two records of a session's activity
SESSION_ABSOLUTE_TIMEOUT = 12 * 60 * 60
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_TIMEOUT
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
HTTPS = env_bool("LINDUNG_HTTPS", False)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = 31536000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None
SECURE_SSL_REDIRECT = HTTPS and env_bool("LINDUNG_SSL_REDIRECT", True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CSRF_FAILURE_VIEW = "lindung.core.views.csrf_failure"

# Two-factor authentication is required for roles that see identities; the demo turns it off.
LINDUNG_REQUIRE_2FA = env_bool("LINDUNG_REQUIRE_2FA", True)
OTP_TOTP_ISSUER = "Lindung"

LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("fr", _("French")),
    ("ru", _("Russian")),
    ("th", _("Thai")),
    ("ms", _("Malay")),
    ("id", _("Indonesian")),
]
# Each app keeps its own catalogue in <app>/locale/; Django finds them through INSTALLED_APPS.
LOCALE_PATHS: list = []
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
MEDIA_ROOT = VAR_DIR / "media"
# Static files are served by the app itself (whitenoise), straight from the apps in the demo.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "lindung.core.api_auth.HashedTokenAuthentication",
        "lindung.core.api_auth.VerifiedSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "lindung.core.paging.LimitOffsetPagination",
    "DEFAULT_PARSER_CLASSES": [
        "lindung.core.api_parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "lindung.core.api_errors.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Lindung API",
    "DESCRIPTION": "Protection of migrants in vulnerable situations: cases, screening, referrals, "
    "maritime information sharing, the data standard and safe statistics.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1/",
    "COMPONENT_SPLIT_REQUEST": True,
}


# E-mail (notifications). SMTP from the environment: LINDUNG_SMTP_HOST/PORT/USER/PASSWORD/TLS/FROM,
# or Django's own EMAIL_* names. Without a host, messages are written as files to var/mail/, so the
# demo shows what would have been sent. Links in messages start with LINDUNG_SITE_URL.
def _env(*names, default=""):
    return next((os.environ[n] for n in names if os.environ.get(n)), default)


EMAIL_HOST = _env("LINDUNG_SMTP_HOST", "EMAIL_HOST")
EMAIL_PORT = int(_env("LINDUNG_SMTP_PORT", "EMAIL_PORT", default="25"))
EMAIL_HOST_USER = _env("LINDUNG_SMTP_USER", "EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = _env("LINDUNG_SMTP_PASSWORD", "EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("LINDUNG_SMTP_TLS", env_bool("EMAIL_USE_TLS", False))
EMAIL_TIMEOUT = 30
DEFAULT_FROM_EMAIL = _env("LINDUNG_SMTP_FROM", "DEFAULT_FROM_EMAIL", default="lindung@localhost")
EMAIL_BACKEND = _env(
    "EMAIL_BACKEND",
    default="django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.filebased.EmailBackend",
)
EMAIL_FILE_PATH = VAR_DIR / "mail"
LINDUNG_SITE_URL = os.environ.get("LINDUNG_SITE_URL", "http://127.0.0.1:8000")

# Key material for personal data (see lindung.core.crypto). Production sets LINDUNG_MASTER_KEY.
LINDUNG_MASTER_KEY = os.environ.get("LINDUNG_MASTER_KEY", "")
LINDUNG_MASTER_KEY_FILE = VAR_DIR / "master.key"
# The audit chain's HMAC key (see lindung.core.audit); derived from the master key when unset.
LINDUNG_AUDIT_KEY = os.environ.get("LINDUNG_AUDIT_KEY", "")
# Signed heads of the audit chain, appended by `lindung audit anchor`; keep it off the database's
# machine or append-only (chattr +a), so that whoever can rewrite the database cannot rewrite it.
LINDUNG_AUDIT_ANCHOR_FILE = Path(os.environ.get("LINDUNG_AUDIT_ANCHOR_FILE", VAR_DIR / "audit-anchors.jsonl"))
API_TOKEN_LIFETIME_DAYS = int(os.environ.get("LINDUNG_API_TOKEN_DAYS", "90"))

# Background work (docs/operations.md): Django's Tasks API on the database by default, so the
# embedded demo needs no other server; "rq" runs the same tasks on Redis. Workers run
# `lindung worker`, periodic jobs are enqueued by one `lindung scheduler`.
TASK_BACKENDS = {
    "database": "django_tasks_db.DatabaseBackend",
    "rq": "django_tasks_rq.RQBackend",
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
}
LINDUNG_TASK_BACKEND = os.environ.get("LINDUNG_TASK_BACKEND", "database")
TASKS = {"default": {"BACKEND": TASK_BACKENDS[LINDUNG_TASK_BACKEND], "QUEUES": ["default"]}}
RQ_QUEUES = {"default": {"URL": os.environ.get("LINDUNG_REDIS_URL", "redis://127.0.0.1:6379/0")}}
if LINDUNG_TASK_BACKEND == "rq":
    INSTALLED_APPS += ["django_rq", "django_tasks_rq"]
LINDUNG_WORKER_HEARTBEAT_SECONDS = float(os.environ.get("LINDUNG_WORKER_HEARTBEAT_SECONDS", "5"))
LINDUNG_WORKER_STALE_SECONDS = float(os.environ.get("LINDUNG_WORKER_STALE_SECONDS", "60"))
LINDUNG_QUEUE_STUCK_SECONDS = float(os.environ.get("LINDUNG_QUEUE_STUCK_SECONDS", "300"))
# Uploads up to this size are imported in the request; larger ones become a job for a worker.
LINDUNG_STANDARD_INLINE_IMPORT_BYTES = int(os.environ.get("LINDUNG_STANDARD_INLINE_IMPORT_BYTES", "2000000"))
LINDUNG_MARITIME_INLINE_IMPORT_BYTES = int(os.environ.get("LINDUNG_MARITIME_INLINE_IMPORT_BYTES", "2000000"))
# Limits on reading an uploaded workbook (lindung.core.spreadsheets): beyond any of them the file is
# refused with a code (xlsx.too_large_uncompressed, xlsx.too_many_rows, ..._columns, ..._cells,
# xlsx.too_slow). An XLSX of a few hundred KB can unpack to millions of rows.
LINDUNG_SPREADSHEET_MAX_UNCOMPRESSED_BYTES = int(
    os.environ.get("LINDUNG_SPREADSHEET_MAX_UNCOMPRESSED_BYTES", str(256 * 1024 * 1024))
)
LINDUNG_SPREADSHEET_MAX_ROWS = int(os.environ.get("LINDUNG_SPREADSHEET_MAX_ROWS", "500000"))
LINDUNG_SPREADSHEET_MAX_COLUMNS = int(os.environ.get("LINDUNG_SPREADSHEET_MAX_COLUMNS", "1000"))
LINDUNG_SPREADSHEET_MAX_CELLS = int(os.environ.get("LINDUNG_SPREADSHEET_MAX_CELLS", "10000000"))
LINDUNG_SPREADSHEET_MAX_SECONDS = int(os.environ.get("LINDUNG_SPREADSHEET_MAX_SECONDS", "60"))
# Dates more than this many years ahead (or before 1900) are refused (lindung.core.uploads).
LINDUNG_MAX_YEARS_AHEAD = int(os.environ.get("LINDUNG_MAX_YEARS_AHEAD", "100"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"}},
    "filters": {"request_id": {"()": "lindung.core.context.RequestIdLogFilter"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["request_id"]},
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LINDUNG_LOG_LEVEL", "INFO")},
    "loggers": {"django.request": {"level": "ERROR"}, "axes": {"level": "WARNING"}},
}
