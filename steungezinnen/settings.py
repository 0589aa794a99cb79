"""The one settings module: everything that differs per machine comes from the
environment (see README.md for the list)."""

from datetime import timedelta
from email.utils import getaddresses
from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env")

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY ontbreekt. Zet de omgevingsvariabele SECRET_KEY op een lange, "
            "geheime waarde (of DEBUG=1 om lokaal uit te proberen)."
        )
    SECRET_KEY = "alleen-voor-ontwikkeling-niet-in-productie-gebruiken"

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "bootstrap",
    "crispy_forms",
    "crispy_bootstrap5",
    "csp",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "health_check",
    # Before accounts: its admin module takes django-otp's device pages out of the back office.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "accounts",
    "gezinnen",
    "screening",
    "matching",
    "importeren",
    "reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "steungezinnen.middleware.NulBytesMiddleware",
    "steungezinnen.middleware.OutOfRangeMiddleware",
    "accounts.middleware.RequestContextMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "accounts.middleware.SessionLimitsMiddleware",
    "accounts.middleware.TweestapsMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Axes must come last: it turns a lock-out into its response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "steungezinnen.urls"
WSGI_APPLICATION = "steungezinnen.wsgi.application"

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
                "steungezinnen.menu.menu",
            ],
            # Every template writes dates with the project's |datum filter.
            "builtins": ["steungezinnen.datums"],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# A connection per request costs a few milliseconds to set up (more with TLS):
# kept open for a minute, checked before each request's first query so that a
# restarted database does not fail a request. CONN_MAX_AGE=0: closed after each.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://")}
# Sessions are read from the cache (and written through to the database) when
# the cache is a server that every process of every application server shares
# (Redis, Memcached): one query less on each request. With a cache of each
# process or each server of its own (memory, files) one could keep a session
# that another ended, so there sessions are read from the database.
SESSION_ENGINE = (
    "django.contrib.sessions.backends.cached_db"
    if CACHES["default"]["BACKEND"].startswith(
        ("django.core.cache.backends.redis.", "django.core.cache.backends.memcached.")
    )
    else "django.contrib.sessions.backends.db"
)

# Background tasks: the database backend needs nothing else to run; a worker
# (`python manage.py db_worker`) executes them.
TASKS = {
    "default": {
        "BACKEND": env.str("TASKS_BACKEND", default="django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

# Accounts -----------------------------------------------------------------

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "accounts.backends.Backend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Five failed attempts for the same account from the same address lock that
# combination for an hour; another address or account is not affected.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(hours=1)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_CALLABLE = "accounts.audit.attempted_email"
AXES_CLIENT_IP_CALLABLE = "accounts.audit.client_ip"
# The reverse proxies (Caddy, nginx on the same machine) whose X-Forwarded-For
# names the client; see accounts.audit.client_ip.
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=[])
AXES_LOCKOUT_TEMPLATE = "registration/lockout.html"
AXES_RESET_ON_SUCCESS = True
AXES_HTTP_RESPONSE_CODE = 429

# Two-factor authentication (accounts.tweestaps): a code from an authenticator
# app (TOTP) or a recovery code. After each wrong code django-otp makes the next
# attempt wait 1, 2, 4, … seconds; after AXES_FAILURE_LIMIT wrong codes in a row
# codes are refused for AXES_COOLOFF_TIME, like the password lock-out.
OTP_TOTP_ISSUER = "Steungezinnen"
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
# The pages a user who still owes the code may open, by URL name; every other
# page sends them to the code (accounts.middleware.TweestapsMiddleware).
TWEESTAPS_OPEN_URLS = [
    "accounts:login",
    "accounts:logout",
    "accounts:password-reset",
    "accounts:password-reset-done",
    "accounts:password-reset-confirm",
    "accounts:password-reset-complete",
    "accounts:tweestaps-code",
    "accounts:tweestaps-instellen",
    "admin:logout",
    "health",
    "gezinnen:aanmelden-steungezin",
    "gezinnen:aanmelden-vraaggezin",
    "gezinnen:bedankt",
]

# Idle sessions end after 30 minutes: SessionLimitsMiddleware renews a
# logged-in session's expiry at most once a minute (not on every request,
# which cost three queries per page), and ends every session 12 hours after
# login regardless.
SESSION_COOKIE_AGE = 30 * 60
SESSION_SAVE_EVERY_REQUEST = False
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_MAX_LIFETIME = timedelta(hours=12)

# Security -----------------------------------------------------------------

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
# The load balancer asks over plain HTTP on the private network.
SECURE_REDIRECT_EXEMPT = [r"^gezond/$"]
SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_HTTPONLY = True
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# No inline scripts anywhere: every script is a static file.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    },
}

# Internationalisation -------------------------------------------------------

LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", "Nederlands")]
TIME_ZONE = "Europe/Amsterdam"
USE_I18N = True
USE_TZ = True

# Static files -----------------------------------------------------------------

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# Documents of families and koppelingen (matching.opslag): never under the
# static files or a media folder, and read only through the download view.
# On the file system by default; with DOCUMENTEN_S3_BUCKET an S3-compatible
# store through django-storages (`pip install .[s3]`; README, "Documenten").
DOCUMENTEN_ROOT = Path(env.str("DOCUMENTEN_ROOT", default=str(BASE_DIR / "documenten")))
if DOCUMENTEN_S3_BUCKET := env.str("DOCUMENTEN_S3_BUCKET", default=""):
    STORAGES["documenten"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": DOCUMENTEN_S3_BUCKET,
            "endpoint_url": env.str("DOCUMENTEN_S3_ENDPOINT_URL", default="") or None,
            "region_name": env.str("DOCUMENTEN_S3_REGION", default="") or None,
            "location": env.str("DOCUMENTEN_S3_PREFIX", default="documenten"),
            # Private objects; no public or signed addresses are handed out.
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
else:
    STORAGES["documenten"] = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(DOCUMENTEN_ROOT)},
    }
# Per file; one upload takes at most DOCUMENTEN_PER_KEER files (the reverse
# proxies in deploy/ accept 60 MB per request).
DOCUMENT_MAX_MB = env.int("DOCUMENT_MAX_MB", default=10)
DOCUMENTEN_PER_KEER = 5

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# E-mail ---------------------------------------------------------------------

EMAIL_CONFIG = env.email("EMAIL_URL", default="consolemail://")
# EMAIL_URL sets EMAIL_BACKEND, EMAIL_HOST, EMAIL_PORT, EMAIL_HOST_USER, ... at once.
vars().update(EMAIL_CONFIG)
# Where the application is reached: links in e-mails sent outside a request.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Steungezinnen <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Errors and logs ------------------------------------------------------------

# "Naam <adres>, Naam <adres>": they get a mail for every server error.
ADMINS = [
    (name or address, address)
    for name, address in getaddresses([env.str("ADMINS", default="")])
    if address
]
DEFAULT_EXCEPTION_REPORTER_FILTER = "steungezinnen.observability.NoPersonalDataFilter"
LOG_FORMAT = env.str("LOG_FORMAT", default="text")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json" if LOG_FORMAT == "json" else "text",
        },
        "mail_admins": {
            "class": "django.utils.log.AdminEmailHandler",
            "level": "ERROR",
            "include_html": False,
        },
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.request": {
            "handlers": ["console", *(["mail_admins"] if ADMINS else [])],
            "level": "ERROR",
            "propagate": False,
        },
        "axes": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

# Sentry only when configured; see steungezinnen/observability.py for what is scrubbed.
if SENTRY_DSN := env.str("SENTRY_DSN", default=""):
    from steungezinnen.observability import init_sentry

    init_sentry(SENTRY_DSN, env.str("SENTRY_ENVIRONMENT", default="productie"))
