"""Settings for Trainee Career Events, read from the environment.

Every variable is listed with a comment in `.env.example`. Development defaults are safe:
with no `DATABASE_URL` a SQLite file is used, with no `REDIS_URL` a Celery broker that needs
no server. With `DEBUG` off there is no default for `SECRET_KEY` (`make run` points
`SECRET_KEY_FILE` at a key it keeps under `var/`).
"""

import sys
from pathlib import Path

import environ

from config.secret_key import SecretKeyFileError, secret_key_from_file

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)

SECRET_KEY = env.str("SECRET_KEY", default="")
# `make run` (a one-machine deployment) keeps a key it made itself in this file; production
# sets SECRET_KEY instead. Relative paths are relative to the project.
SECRET_KEY_FILE = env.str("SECRET_KEY_FILE", default="")
if not SECRET_KEY and SECRET_KEY_FILE:
    try:
        SECRET_KEY = secret_key_from_file(BASE_DIR / SECRET_KEY_FILE)
    except (OSError, SecretKeyFileError) as exc:
        sys.stderr.write(f"SECRET_KEY_FILE: {exc}\n")
        raise SystemExit(1) from None
if not SECRET_KEY:
    if not DEBUG:
        # One clear line instead of Django's ImproperlyConfigured traceback.
        sys.stderr.write(
            "SECRET_KEY is not set: set it in the environment (or DEBUG=1 for development).\n"
        )
        raise SystemExit(1)
    SECRET_KEY = "dev-only-not-secret-" + "x" * 40

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
# The address people reach the site at, for every link that leaves a page: emails, calendar
# URLs and UIDs, unsubscribe links. Celery renders mail outside any request, so it comes
# from the environment; without SITE_URL it is the local address `make run` serves on, and
# mail written during a request (account mail) follows the address the request came to.
PORT = env.int("PORT", default=8000)
SITE_URL_IS_SET = bool(env.str("SITE_URL", default=""))
SITE_URL = (env.str("SITE_URL", default="") or f"http://127.0.0.1:{PORT}").rstrip("/")
# The site's own name in account mail (allauth would take the request's host name).
SITE_NAME = "Trainee Career Events"
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "allauth",
    "allauth.account",
    "django_celery_beat",
    "accounts",
    "events",
    "events.lunch",
    "mentorship",
    "listening",
    "staff",
    "feedback",
    "notifications",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "config.nul_guard.NulByteMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "config.middleware.DatabaseBusyMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
            ],
        },
    },
]

# Database: PostgreSQL from DATABASE_URL, else a SQLite file. IMMEDIATE transactions take
# SQLite's write lock at BEGIN, so capacity checks stay serialised instead of failing with
# "database is locked" when two writers upgrade their read locks at once.
_database_url = env.str("DATABASE_URL", default="")
CONN_MAX_AGE_DEFAULT = 60
if _database_url:
    DATABASES = {"default": env.db("DATABASE_URL")}
    # Persistent connections: opening one costs about as much as a small page, on every
    # request. The health check reopens a connection the server dropped (a restart, an idle
    # timeout) before a request uses it. Behind pgbouncer in transaction mode set
    # CONN_MAX_AGE=0 and let pgbouncer keep the connections (see README, Performance).
    DATABASES["default"].setdefault(
        "CONN_MAX_AGE", int(env.str("CONN_MAX_AGE", default="") or CONN_MAX_AGE_DEFAULT)
    )
    DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)
    # pgbouncer in transaction mode cannot keep a server-side cursor between transactions.
    DATABASES["default"].setdefault(
        "DISABLE_SERVER_SIDE_CURSORS", env.bool("DISABLE_SERVER_SIDE_CURSORS", default=False)
    )
    DATABASES["default"].setdefault("OPTIONS", {})
else:
    VAR_DIR.mkdir(exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": env.str("SQLITE_PATH", default=str(VAR_DIR / "db.sqlite3")),
            "OPTIONS": {"transaction_mode": "IMMEDIATE", "timeout": 20},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The demo meeting and its demo accounts (whose passwords the README publishes) come with the
# embedded try-out only: `make run` loads them when there is no DATABASE_URL, and on a real
# database only when asked for with DEMO=1.
# (An empty DEMO, as in .env.example, means the default.)
DEMO = env.bool("DEMO") if env.str("DEMO", default="") else not _database_url

REDIS_URL = env.str("REDIS_URL", default="")

# One cache shared by every process: allauth's rate limits and the cached agenda live here.
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            # Parallel test workers share one Redis database, each under its own prefix.
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="") or "tce",
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": env.str("CACHE_DIR", default=str(VAR_DIR / "cache")),
        }
    }

# Sessions: with Redis, read from the cache and written through to the database
# (`cached_db`), so a page costs no session query and a Redis flush logs nobody out.
SESSION_ENGINE = (
    "django.contrib.sessions.backends.cached_db"
    if REDIS_URL
    else "django.contrib.sessions.backends.db"
)

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"

# django-allauth: email is the login, verification by link is mandatory.
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_SIGNUP_FORM_CLASS = "accounts.forms.SignupExtraForm"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = False
ACCOUNT_LOGOUT_REDIRECT_URL = "home"
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Trainee Career Events] "
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if SITE_URL.startswith("https") else "http"
# Rate limits (allauth's own values, written out because the suite and docs rely on them).
# Counters live in the cache, so with REDIS_URL every web process shares them. "ip" is the
# client address (see TRUSTED_PROXY_COUNT), "key" the email address typed.
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",  # any POST to the login form (staff's too: /admin/login/ leads there)
    "login_failed": "10/m/ip,5/5m/key",  # wrong passwords; the right one is refused meanwhile
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "change_password": "5/m/user",
}
# How many reverse proxies stand in front of the app (0: clients connect directly). Only
# then are the X-Forwarded-* headers believed: rate limits key on REMOTE_ADDR, and behind N
# trusted proxies allauth reads the client's address from X-Forwarded-For.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# Where collectstatic puts the files whitenoise serves with DEBUG off.
STATIC_ROOT = env.str("STATIC_ROOT", default="") or str(BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG
# Files browsers ask for at the site's root (/favicon.ico, from admin pages too).
WHITENOISE_ROOT = BASE_DIR / "static" / "root"
WHITENOISE_AUTOREFRESH = DEBUG

# Email. Without EMAIL_HOST, development prints mail to the console.
EMAIL_HOST = env.str("EMAIL_HOST", default="")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
EMAIL_BACKEND = env.str(
    "EMAIL_BACKEND",
    default=(
        "django.core.mail.backends.smtp.EmailBackend"
        if EMAIL_HOST
        else "django.core.mail.backends.console.EmailBackend"
    ),
)
DEFAULT_FROM_EMAIL = env.str(
    "DEFAULT_FROM_EMAIL", default="Trainee Career Events <noreply@localhost>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Celery: Redis when REDIS_URL is set, else kombu's filesystem transport (no server; one host).
CELERY_DATA_DIR = Path(env.str("CELERY_DATA_DIR", default=str(VAR_DIR / "celery")))
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = {"visibility_timeout": 3600}
else:
    for sub in ("queue", "processed", "control"):
        (CELERY_DATA_DIR / sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_DATA_DIR / "queue"),
        "data_folder_out": str(CELERY_DATA_DIR / "queue"),
        "processed_folder": str(CELERY_DATA_DIR / "processed"),
        "store_processed": False,
        "control_folder": str(CELERY_DATA_DIR / "control"),
    }
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = "UTC"
# Listening-session requests, bookings and places are deleted this many days after the event.
LISTENING_RETENTION_DAYS = env.int("LISTENING_RETENTION_DAYS", default=90)
# The "now and next" screen (/events/<slug>/now/) reloads itself this often, in seconds; it
# shows the program to the minute, so more often would show nothing new.
NOW_REFRESH_SECONDS = 60
CELERY_BEAT_SCHEDULE = {
    # Safety net for the outbox: anything due and unsent (broker was down, worker died) goes out.
    "notifications-dispatch-due": {
        "task": "notifications.tasks.notifications_dispatch_due_task",
        "schedule": 60.0,
    },
    # Listening-session data goes LISTENING_RETENTION_DAYS after its event (docs/listening.md).
    # After each session ends, everyone checked in is asked for feedback once (docs/feedback.md).
    "feedback-requests": {
        "task": "feedback.tasks.feedback_requests_send_task",
        "schedule": 5 * 60.0,
    },
    "listening-purge": {
        "task": "listening.tasks.listening_data_purge_task",
        "schedule": 24 * 60 * 60.0,
    },
}
# A publish must not hang a web request when the broker is down; the dispatcher catches up.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TASK_PUBLISH_RETRY = False

# Security. With DEBUG off, `manage.py check --deploy --fail-level WARNING` is clean.
# A client can send X-Forwarded-Proto itself: it says "https" only when a proxy that sets it
# (and drops the client's own) terminates TLS in front of the app.
if TRUSTED_PROXY_COUNT > 0:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
if not DEBUG:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    # Off only for a local plain-HTTP stack (docker-compose); check --deploy warns then.
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=True)

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# Listening sessions: an interview can be booked, moved or cancelled until this many hours
# before it starts (the facilitator plans the day); a group place likewise.
LISTENING_CHANGE_CUTOFF_HOURS = env.int("LISTENING_CHANGE_CUTOFF_HOURS", default=24)
