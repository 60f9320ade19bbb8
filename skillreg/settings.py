"""skillreg settings.

One file, read from the environment. Layering:

1. Defaults here are for a developer's machine: SQLite under ``var/``, DEBUG on,
   a throwaway secret key generated per checkout (``var/secret_key``).
2. Every deployment setting comes from an environment variable:
   ``SKILLREG_SECRET_KEY`` (required when ``SKILLREG_DEBUG=0``), ``DATABASE_URL``
   (PostgreSQL in production, e.g. ``postgres://user@host/db``), ``SKILLREG_ALLOWED_HOSTS``,
   ``SKILLREG_CLOCK_START`` (training/demo time, see ``skillreg.core.clock``).
3. Tests use the same file; pytest-django builds its own test database from whichever
   database ``DATABASE_URL`` names.
"""

import datetime
import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("SKILLREG_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = env_bool("SKILLREG_DEBUG", True)


def _secret_key() -> str:
    key = os.environ.get("SKILLREG_SECRET_KEY")
    if key:
        return key
    # A key kept in a file (a container secret, a 0600 file) stays out of the environment
    # that every child process inherits and `ps e` shows.
    key_file = os.environ.get("SKILLREG_SECRET_KEY_FILE")
    if key_file:
        try:
            key = Path(key_file).read_text().strip()
        except OSError as exc:
            raise ImproperlyConfigured(f"无法读取 SKILLREG_SECRET_KEY_FILE 指定的文件：{key_file}（{exc}）") from exc
        if not key:
            raise ImproperlyConfigured(f"SKILLREG_SECRET_KEY_FILE 指定的文件为空：{key_file}")
        return key
    if not DEBUG:
        raise ImproperlyConfigured("生产模式必须设置环境变量 SKILLREG_SECRET_KEY 或 SKILLREG_SECRET_KEY_FILE")
    # A per-checkout development key: never committed, never shared between machines.
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = os.environ.get("SKILLREG_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "ninja",  # serves the Swagger UI from its own static files, not a CDN
    "django_tasks",
    "django_tasks_db",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "skillreg.core",
    "skillreg.audit",
    "skillreg.accounts",
    "skillreg.policies",
    "skillreg.workdays",
    "skillreg.registry",
    "skillreg.draws",
    "skillreg.evaluation",
    "skillreg.supervision",
    "skillreg.exams",
    "skillreg.certificates",
    "skillreg.archives",
    "skillreg.files",
    "skillreg.documents",
    "skillreg.notifications",
    "skillreg.api",
    "skillreg.web",
]

MIDDLEWARE = [
    # First, so that every log line of the request carries its id.
    "skillreg.core.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "skillreg.core.middleware.SecurityHeadersMiddleware",
    # Public lookups (GET /api/v1/public/...) leave here for a lean chain (host check, framing
    # header, the view): no session, user, messages, 2FA or lockout work, which they never use;
    # everything above (request id, access log, security headers) still runs (issue 8, figure 1).
    "skillreg.core.middleware.LeanPublicPathMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Officials' second factor (TOTP), idle timeout and password age; after the session,
    # the user and messages, before any view.
    "django_otp.middleware.OTPMiddleware",
    "skillreg.accounts.middleware.AccountSecurityMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, so that a locked-out login is refused before any view runs.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "skillreg.urls"
WSGI_APPLICATION = "skillreg.wsgi.application"

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
                "skillreg.core.context_processors.clock",
                "skillreg.notifications.context_processors.unread_notifications",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'skillreg.sqlite3'}"),
        conn_max_age=int(os.environ.get("SKILLREG_DB_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server and the task worker share the embedded database.
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].update(
        {"init_command": "PRAGMA journal_mode=WAL;", "transaction_mode": "IMMEDIATE", "timeout": 20}
    )
# A streaming read replica of the primary: the public lookups (directory, certificate
# verification) read from it (skillreg.core.db_router); every write and every signed-in
# read stays on the primary. Unset: everything on "default".
if os.environ.get("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = dj_database_url.parse(
        os.environ["DATABASE_REPLICA_URL"],
        conn_max_age=int(os.environ.get("SKILLREG_DB_CONN_MAX_AGE", "60")),
    )
    # Tests never write through it: pytest-django points the alias at the test database.
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
for _db in DATABASES.values():
    if _db["ENGINE"] == "django.db.backends.postgresql":
        # A database that does not answer fails a request in seconds instead of after the
        # kernel's TCP timeout (minutes); the public verification waits on the worker's polling
        # thread (skillreg.serving), where every other connection of the worker waits with it.
        # DATABASE_URL's ?connect_timeout=N overrides it.
        _db.setdefault("OPTIONS", {}).setdefault("connect_timeout", 5)
DATABASE_ROUTERS = ["skillreg.core.db_router.PublicReadsToReplica"]
# The alias the public lookups read from (None: the primary).
SKILLREG_PUBLIC_READ_DB = "replica" if os.environ.get("DATABASE_REPLICA_URL") else None
# GET requests under these prefixes skip the session/auth/2FA middleware (core.middleware);
# the public pages under the second list keep the full chain but read from the replica too.
SKILLREG_LEAN_PATHS = ("/api/v1/public/",)
SKILLREG_PUBLIC_READ_PATHS = ("/directory/", "/certificates/verify/")
# GET /api/v1/public/certificates/verify answered by a lean WSGI callable in front of Django
# (skillreg/certificates/fastpath.py): the same answers, limits, headers and log line without
# the framework's per-request machinery (issue 8, figure 1). 0: every request goes through Django.
SKILLREG_VERIFY_FASTPATH = env_bool("SKILLREG_VERIFY_FASTPATH", True)
# Under gunicorn with skillreg.serving.ThreadWorker: when the verifications answered on a
# worker's polling thread take longer than this in one round of its poller (the database or the
# cache slow or down), its threads answer them for the next 10 s instead.
SKILLREG_VERIFY_INLINE_SLOW_MS = int(os.environ.get("SKILLREG_VERIFY_INLINE_SLOW_MS", "500"))
# On PostgreSQL the verification lookups are named prepared statements, planned once per
# connection (certificates/selectors.py). 0 behind a PgBouncer in transaction mode that does not
# carry prepared statements (before 1.21, or max_prepared_statements = 0).
SKILLREG_DB_PREPARED = env_bool("SKILLREG_DB_PREPARED", True)


def _caches(url: str) -> dict[str, dict[str, object]]:
    """CACHES from SKILLREG_CACHE_URL: ``locmem://``, ``db://TABLE`` or ``redis://host:port/db``."""
    scheme, _, rest = url.partition("://")
    # Django culls these caches beyond 300 entries by default: one counter per client address
    # would then be evicted under load, and the rate limits would stop holding.
    options = {"MAX_ENTRIES": 1_000_000}
    if scheme == "locmem":
        return {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": rest,
                            "OPTIONS": options}}
    if scheme == "db":
        # The table is created by `skillreg migrate` (core/migrations/0001) or `skillreg createcachetable`.
        return {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache",
                            "LOCATION": rest or "skillreg_cache", "OPTIONS": options}}
    if scheme in {"redis", "rediss"}:
        # A Redis host that stops answering fails a call in seconds, not at the kernel's TCP timeout.
        return {"default": {"BACKEND": "skillreg.core.cache.RedisCache", "LOCATION": url,
                            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 2}}}
    raise ImproperlyConfigured(f"SKILLREG_CACHE_URL 无法识别：{url}（应为 locmem://、db://表名 或 redis://主机:端口/库号）")


# The cache holds the public rate-limit counters (certificate verification, complaints): with
# several server processes it must be shared, or each worker counts alone. Development
# (SKILLREG_DEBUG=1, one process) keeps it in memory; production defaults to the database
# cache table, Redis where there is one.
SKILLREG_CACHE_URL = os.environ.get("SKILLREG_CACHE_URL", "locmem://" if DEBUG else "db://skillreg_cache")
CACHES = _caches(SKILLREG_CACHE_URL)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:home"

# Failed logins: locked per account and per client address after 5 failures for 30 minutes.
AXES_FAILURE_LIMIT = int(os.environ.get("SKILLREG_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 0.5  # hours
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "skillreg.accounts.views.lockout_response"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
MEDIA_ROOT = Path(os.environ.get("SKILLREG_MEDIA_ROOT", VAR_DIR / "media"))

TASKS = {
    "default": {
        "BACKEND": os.environ.get("SKILLREG_TASK_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

# Messages: Django's email backends for email; the notifications app's for SMS. Console by
# default, so a developer sees what would be sent; production sets SMTP and an SMS gateway.
EMAIL_BACKEND = os.environ.get("SKILLREG_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("SKILLREG_FROM_EMAIL", "skillreg@localhost")
SKILLREG_SMS_BACKEND = os.environ.get("SKILLREG_SMS_BACKEND",
                                      "skillreg.notifications.backends.sms.ConsoleSmsBackend")
SKILLREG_SMS_FILE_PATH = Path(os.environ.get("SKILLREG_SMS_FILE_PATH", VAR_DIR / "sms"))
SKILLREG_SITE_URL = os.environ.get("SKILLREG_SITE_URL", "")
# The CJK TrueType font embedded in PDFs; found in the Debian font paths unless set.
SKILLREG_CJK_FONT = os.environ.get("SKILLREG_CJK_FONT", "")
# Task workers (core/workers.py): how often a worker stamps its heartbeat, and how long a silent
# worker's RUNNING tasks wait before they are marked failed (several missed beats, so a busy
# database or a paused VM does not cost a live task).
SKILLREG_WORKER_HEARTBEAT_SECONDS = float(os.environ.get("SKILLREG_WORKER_HEARTBEAT_SECONDS", "15"))
SKILLREG_WORKER_LOST_AFTER_SECONDS = float(os.environ.get("SKILLREG_WORKER_LOST_AFTER_SECONDS", "120"))
if SKILLREG_WORKER_LOST_AFTER_SECONDS < 2 * SKILLREG_WORKER_HEARTBEAT_SECONDS:
    raise ImproperlyConfigured(
        "SKILLREG_WORKER_LOST_AFTER_SECONDS 至少应为心跳间隔的两倍，否则运行中的任务会被误判为中断。")
# Public certificate verification: requests per window per client address (then 429).
SKILLREG_VERIFY_RATE_LIMIT = int(os.environ.get("SKILLREG_VERIFY_RATE_LIMIT", "30"))
SKILLREG_VERIFY_RATE_WINDOW = int(os.environ.get("SKILLREG_VERIFY_RATE_WINDOW", "60"))
# On a shared cache, each process adds its counts to the shared counters every this many ms
# (certificates/ratelimit.py); 0 counts every lookup in the shared cache before answering.
SKILLREG_VERIFY_RATE_FLUSH_MS = int(os.environ.get("SKILLREG_VERIFY_RATE_FLUSH_MS", "50"))
SKILLREG_UPLOAD_MAX_BYTES = int(os.environ.get("SKILLREG_UPLOAD_MAX_BYTES", str(20 * 1024 * 1024)))
# Where a document sets no deadline, the system's stated default (every page says so):
# inspection results published, complaints answered (working days), annual plan / summary due ("MM-DD").
SKILLREG_INSPECTION_PUBLISH_WORKDAYS = int(os.environ.get("SKILLREG_INSPECTION_PUBLISH_WORKDAYS", "20"))
SKILLREG_COMPLAINT_ANSWER_WORKDAYS = int(os.environ.get("SKILLREG_COMPLAINT_ANSWER_WORKDAYS", "15"))
SKILLREG_ANNUAL_PLAN_DUE = os.environ.get("SKILLREG_ANNUAL_PLAN_DUE", "01-31")
SKILLREG_ANNUAL_SUMMARY_DUE = os.environ.get("SKILLREG_ANNUAL_SUMMARY_DUE", "01-31")
for _name in ("SKILLREG_ANNUAL_PLAN_DUE", "SKILLREG_ANNUAL_SUMMARY_DUE"):
    try:  # a day that exists in every year (02-29 is read as 02-28 in other years)
        datetime.date(2024, *(int(part) for part in globals()[_name].split("-", 1)))
    except (TypeError, ValueError) as _exc:
        raise ImproperlyConfigured(f"{_name} 应为 MM-DD 形式的日期，例如 01-31") from _exc

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 8 * 3600
CSRF_COOKIE_HTTPONLY = False  # htmx reads it from the cookie for its headers
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
if not DEBUG:
    SESSION_COOKIE_SECURE = env_bool("SKILLREG_SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

# Transport (production). Intranets often terminate TLS at a reverse proxy: set
# SKILLREG_TLS_PROXY=1 so Django trusts its X-Forwarded-Proto (and the redirect does not
# loop); SKILLREG_SSL_REDIRECT=0 only where the proxy itself redirects plain HTTP.
SECURE_SSL_REDIRECT = env_bool("SKILLREG_SSL_REDIRECT", not DEBUG)
if env_bool("SKILLREG_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = int(os.environ.get("SKILLREG_HSTS_SECONDS", "0" if DEBUG else str(365 * 24 * 3600)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SKILLREG_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SKILLREG_HSTS_PRELOAD", True)
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# Content-Security-Policy (skillreg.core.middleware.SecurityHeadersMiddleware): no inline
# script, nothing from another origin (intranets have no CDN anyway); inline styles are
# allowed for the pages that still carry them (they cannot run code), new ones are refused
# by security_tests/test_headers.py;
# images may be data: URIs (the TOTP enrolment QR code); no framing.
SKILLREG_CSP = os.environ.get("SKILLREG_CSP", "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
]))

# Two-factor login (django-otp TOTP). These roles must enrol an authenticator before they
# can do anything else; every other user may opt in from the account page, and once
# enrolled is asked for the code too.
SKILLREG_2FA_ROLES = [r for r in os.environ.get(
    "SKILLREG_2FA_ROLES",
    "sysadmin,filing_official,approving_official,centre_staff,expert,supervisor,assessor",
).split(",") if r.strip()]
OTP_TOTP_ISSUER = "skillreg 备案监管平台"
# Officials' sessions end after this much inactivity (等保三级: session timeout).
SKILLREG_IDLE_TIMEOUT_MINUTES = int(os.environ.get("SKILLREG_IDLE_TIMEOUT_MINUTES", "30"))
SKILLREG_IDLE_TIMEOUT_ROLES = [r for r in os.environ.get(
    "SKILLREG_IDLE_TIMEOUT_ROLES", "sysadmin,filing_official,approving_official,centre_staff",
).split(",") if r.strip()]
# No forced periodic password change unless an operator turns it on (NIST SP 800-63B
# advises against it; 等保三级 assessors may ask for it, e.g. 90).
_max_age = os.environ.get("SKILLREG_PASSWORD_MAX_AGE_DAYS", "").strip()
SKILLREG_PASSWORD_MAX_AGE_DAYS = int(_max_age) if _max_age else None

# Policy packs: the directory of YAML files loaded and validated at start-up.
SKILLREG_PACK_DIR = Path(os.environ.get("SKILLREG_PACK_DIR", BASE_DIR / "skillreg" / "policies" / "packs"))

# Logs: one JSON object per line, each with the request id; ID numbers masked and
# password-like fields removed by filters on every handler (skillreg.core.logging).
# The security log (logins, lockouts, refusals) also goes to SKILLREG_SECURITY_LOG_FILE,
# appended with WatchedFileHandler so that logrotate may rotate it (keep >= 6 months,
# 网络安全法 第二十一条). The audit trail itself lives in the database, append-only.
SKILLREG_SECURITY_LOG_FILE = os.environ.get(
    "SKILLREG_SECURITY_LOG_FILE", "" if DEBUG else str(VAR_DIR / "log" / "security.jsonl"))
_LOG_FILTERS = ["request_context", "sensitive_data"]
_security_handlers = ["console"]
_handlers: dict[str, dict[str, object]] = {
    "console": {"class": "logging.StreamHandler", "formatter": "json", "filters": _LOG_FILTERS},
}
if SKILLREG_SECURITY_LOG_FILE:
    Path(SKILLREG_SECURITY_LOG_FILE).parent.mkdir(parents=True, exist_ok=True)
    _handlers["security_file"] = {
        "class": "logging.handlers.WatchedFileHandler", "filename": SKILLREG_SECURITY_LOG_FILE,
        "formatter": "json", "filters": _LOG_FILTERS, "encoding": "utf-8",
    }
    _security_handlers.append("security_file")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_context": {"()": "skillreg.core.logging.RequestContextFilter"},
        "sensitive_data": {"()": "skillreg.core.logging.SensitiveDataFilter"},
    },
    "formatters": {"json": {"()": "skillreg.core.logging.JsonFormatter"}},
    "handlers": _handlers,
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        "skillreg": {"handlers": ["console"], "level": os.environ.get("SKILLREG_LOG_LEVEL", "INFO"),
                     "propagate": False},
        "skillreg.security": {"handlers": _security_handlers, "level": "INFO", "propagate": False},
        "axes": {"handlers": ["console"], "level": "WARNING", "propagate": False},
    },
}
