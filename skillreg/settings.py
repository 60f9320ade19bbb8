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
    if not DEBUG:
        raise ImproperlyConfigured("生产模式必须设置环境变量 SKILLREG_SECRET_KEY")
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
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
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
SKILLREG_UPLOAD_MAX_BYTES = int(os.environ.get("SKILLREG_UPLOAD_MAX_BYTES", str(20 * 1024 * 1024)))

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 8 * 3600
CSRF_COOKIE_HTTPONLY = False  # htmx reads it from the cookie for its headers
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
if not DEBUG:
    SESSION_COOKIE_SECURE = env_bool("SKILLREG_SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

# Policy packs: the directory of YAML files loaded and validated at start-up.
SKILLREG_PACK_DIR = Path(os.environ.get("SKILLREG_PACK_DIR", BASE_DIR / "skillreg" / "policies" / "packs"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "loggers": {
        "skillreg": {"handlers": ["console"], "level": os.environ.get("SKILLREG_LOG_LEVEL", "INFO")},
        "skillreg.security": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}
