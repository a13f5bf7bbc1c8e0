"""
Settings for Polls, read from the environment (https://12factor.net/config).

Safe by default: DEBUG is off, HTTPS is required and there is no fallback secret key unless
DJANGO_DEBUG=1 says this is a developer's machine. Every variable is listed in README.md and
app.json.
"""

import datetime
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# Heroku sets DYNO on every dyno; it is the only place where defaults differ (database SSL).
ON_HEROKU = "DYNO" in os.environ

# Core ------------------------------------------------------------------------------------------

DEBUG = env_bool("DJANGO_DEBUG")
if DEBUG and ON_HEROKU:
    # A dyno serves the public: DEBUG would show tracebacks and settings to anyone.
    raise ImproperlyConfigured("DJANGO_DEBUG is on on a Heroku dyno; unset it (`heroku config:unset`).")

# No fallback outside DEBUG: an empty key makes Django refuse to sign anything, and wsgi.py refuses
# to start the web process. collectstatic needs no key, so a first `git push` builds before any
# config var is set.
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY and DEBUG:
    SECRET_KEY = "django-insecure-local-development-only"  # noqa: S105  (DEBUG only, never served)
# Keys retired by a rotation, still accepted for what they signed: voter cookies, and the receipts
# of ballots cast before it (polls.receipts). Comma-separated, newest first.
SECRET_KEY_FALLBACKS = env_list("DJANGO_SECRET_KEY_FALLBACKS")

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],.herokuapp.com")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

# The site's public origin (https://polls.example.com): the share link, canonical link and QR code
# are built on it, not on the Host header a client sent. Unset, they follow the request.
POLLS_SITE_URL = os.environ.get("POLLS_SITE_URL", "").strip().rstrip("/")
if POLLS_SITE_URL and not POLLS_SITE_URL.startswith(("https://", "http://")):
    raise ImproperlyConfigured("POLLS_SITE_URL is an origin such as https://polls.example.com.")

INSTALLED_APPS = [
    "polls",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Right after SecurityMiddleware, as whitenoise documents, so static files skip the rest.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before every middleware that may change a page, so the ETag it derives from the page's bytes
    # covers all of them: a browser that holds the same bytes gets a 304.
    "django.middleware.http.ConditionalGetMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Where Django's documentation puts it: after the session (which it does not use here: the
    # choice is kept in the language cookie), before CommonMiddleware. It adds Content-Language
    # and Vary: Accept-Language, so ConditionalGetMiddleware's ETag is per language's bytes.
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # The visitor's zone (a cookie) for every page below it, the error pages and the admin included.
    "mysite.timezones.TimeZoneMiddleware",
    # After every middleware that sets a security header, before any that reads the form (CSRF).
    "mysite.middleware.RequestBodyMiddleware",
    "mysite.middleware.HumanMethodNotAllowedMiddleware",
    "mysite.middleware.DatabaseUnavailableMiddleware",
    # Last, as django-axes documents: it turns a locked-out login into its 429 page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "mysite.urls"
WSGI_APPLICATION = "mysite.wsgi.application"

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

# Database --------------------------------------------------------------------------------------

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        # Persistent connections save a connect per request; health checks drop one that the
        # database closed (a restart, a failover) instead of failing the next request with it.
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "600")),
        conn_health_checks=True,
        ssl_require=env_bool("DATABASE_SSL_REQUIRE", default=ON_HEROKU),
    ),
}
if DATABASES["default"].get("ENGINE") == "django.db.backends.postgresql":
    # A database that does not answer fails the request in seconds (a 503 page), instead of
    # holding the worker until the router gives up on it after 30.
    DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = int(
        os.environ.get("DATABASE_CONNECT_TIMEOUT", "5")
    )
else:
    # SQLite cannot defer a unique check, so it goes without the ballots' tracker index
    # (polls.models.Ballot); SQLite writes one transaction at a time, so no two votes race there.
    SILENCED_SYSTEM_CHECKS = ["models.W038"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache -----------------------------------------------------------------------------------------

# Each process keeps its own copies of rendered fragments. They are keyed by what they show, as
# read from the database on every request (polls/templates/polls), so a copy is never stale and
# two processes, or two dynos, never disagree: nothing here is state another process would need.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        # A fragment is a few kilobytes: some ten megabytes at most per process.
        "OPTIONS": {"MAX_ENTRIES": 3000},
    }
}

# Users and sessions ----------------------------------------------------------------------------

# The lockout check comes first, so a locked-out client's passwords are not even tried.
AUTHENTICATION_BACKENDS = [
    "mysite.auth.LoginThrottleBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Voters never get a session: flash messages travel in a signed cookie, so the public pages stay
# stateless on the server. Sessions exist for editors logged into the admin only.
MESSAGE_STORAGE = "django.contrib.messages.storage.cookie.CookieStorage"

# Internationalization --------------------------------------------------------------------------

# The visitor's language comes from their language cookie (set by the switcher on every page,
# through Django's set_language view), else from Accept-Language (docs/i18n.md). Names in their
# own language: they are read by people looking for theirs.
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("fr", "Français"), ("de", "Deutsch"), ("es", "Español")]
# The .mo files are committed: Heroku's Python buildpack does not run compilemessages.
LOCALE_PATHS = [BASE_DIR / "locale"]
# Times are stored in UTC and shown in the visitor's zone (mysite.timezones), or in this one when
# their browser has not said which; the zone is named on every page that shows a time.
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_I18N = True
# "1.234" in German, "1,234" in English. Numbers printed for machines (attributes, URLs) are
# unlocalized where they are printed.
USE_THOUSAND_SEPARATOR = True
USE_TZ = True

# Static files ----------------------------------------------------------------------------------

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Hashed names can be cached forever; whitenoise serves them compressed with far-future headers.
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Security --------------------------------------------------------------------------------------

# Heroku's router terminates TLS and says so in X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", default=not DEBUG)
# Uptime probes may call the dyno over plain HTTP; the health answer holds nothing to protect.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_SECURE_HSTS_PRELOAD", default=True)
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

# Polls takes short forms and no files (issue 21; mysite.middleware.RequestBodyMiddleware). The
# largest form, a question and its choices in the admin, is a few kB; a body past this is refused
# from its Content-Length, unread, and a file part is refused at its headers, before a byte of it
# is stored (Django would otherwise stream it to a temporary file).
DATA_UPLOAD_MAX_MEMORY_SIZE = 256 * 1024
DATA_UPLOAD_MAX_NUMBER_FILES = 0

# Nothing inline, anywhere: every script and stylesheet is a file under /static/.
SECURE_CSP = {
    "default-src": [CSP.NONE],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "manifest-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.NONE],
}

# Abuse -----------------------------------------------------------------------------------------

# Behind Heroku's router the client's address is the last X-Forwarded-For entry (the router appends
# the address it saw); anywhere else that header is whatever the client chose to send.
POLLS_BEHIND_ROUTER = env_bool("POLLS_BEHIND_ROUTER", default=ON_HEROKU)
# Votes one client address may send per window, counted in the database (so every dyno agrees).
# Generous: one person never votes once a second, and a classroom behind one address still fits.
# 0 turns the limit off.
POLLS_VOTE_RATE_LIMIT = int(os.environ.get("POLLS_VOTE_RATE_LIMIT", "60"))
POLLS_VOTE_RATE_WINDOW = int(os.environ.get("POLLS_VOTE_RATE_WINDOW", "60"))

# Admin sign-in throttling (django-axes, state in the database): after this many failures a client
# address is locked out for the cool-off time, for one account (username and address together) and,
# guessing across accounts, for all (the address alone). Never an account alone: failures from
# other addresses would lock its editor out of their own (issue 21).
AXES_FAILURE_LIMIT = int(os.environ.get("POLLS_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = datetime.timedelta(minutes=int(os.environ.get("POLLS_LOGIN_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "polls.ratelimit.client_address"
AXES_USERNAME_CALLABLE = "mysite.auth.attempted_username"
AXES_LOCKOUT_TEMPLATE = "429_login.html"
# Where a sign-in lands when its `next` is missing or refused (another site): the admin, not
# Django's default /accounts/profile/, which this site does not have.
LOGIN_REDIRECT_URL = "admin:index"
# Failures are logged with the client address; the username stays masked, in case a password
# was typed into it.
AXES_SENSITIVE_PARAMETERS = ["username"]

# Logging ---------------------------------------------------------------------------------------

# Heroku collects whatever the dyno writes to stdout.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "{levelname} {name}: {message}", "style": "{"}},
    "filters": {"one_line_warning": {"()": "mysite.logs.OneLineWarning"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain"},
        "security": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["one_line_warning"],
        },
    },
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
    "loggers": {
        # 4xx answers are expected on a public site; log them only when asked to.
        "django.request": {"level": os.environ.get("DJANGO_REQUEST_LOG_LEVEL", "ERROR")},
        # A refused request (a foreign Host, a forged form) is the client's doing, not a fault: one
        # WARNING line each, not Django's ERROR with a traceback.
        "django.security": {"handlers": ["security"], "propagate": False},
    },
}
