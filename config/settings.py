"""Settings, read from the environment (django-environ).

Quick start (`make run`, `make test`) sets DJANGO_DEBUG=1 and gets SQLite, a
filesystem Celery broker, and random keys made on first run under var/. Without
DJANGO_DEBUG the secret key, the pseudonym key and allowed hosts have no default: the
process refuses to start rather than run with an unsafe value.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from urllib.parse import urlsplit

import django_stubs_ext
import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

# ModelForm[Combatant], ModelAdmin[Site]...: the type parameters django-stubs gives these classes.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(environ.Env().str("DDR_VAR_DIR", default=str(BASE_DIR / "var")))

env = environ.Env()
env.smart_cast = False
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env.bool("DJANGO_DEBUG", default=False)


def _local_key(name: str) -> str:
    """A random key kept in VAR_DIR/<name> (mode 0600), made on first use: the quick start's keys.

    Never a constant from the source: a published key would let anyone forge sessions or turn the
    analysts' pseudonyms back into record ids. Written aside and linked into place, so two processes
    starting together (server and worker) end up with the same key.
    """
    path = VAR_DIR / name
    if not path.exists():
        spare = VAR_DIR / f".{name}.{os.getpid()}"
        with os.fdopen(os.open(spare, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as out:
            out.write(secrets.token_urlsafe(50))
        try:
            os.link(spare, path)
        except FileExistsError:
            pass  # another process was first: its key is the one
        finally:
            spare.unlink()
    return path.read_text().strip()


def _required_secret(name: str) -> str:
    """NAME, or the content of the file NAME_FILE names; no default (environ names what is missing)."""
    file = env.str(f"{name}_FILE", default="")
    return Path(file).read_text().strip() if file else env.str(name)


if DEBUG:
    SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="") or _local_key("secret.key")
    ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
    # Keyed HMAC for analysts' pseudonyms; rotating it changes every pseudonym.
    PSEUDONYM_KEY = env.str("DDR_PSEUDONYM_KEY", default="") or _local_key("pseudonym.key")
else:
    SECRET_KEY = _required_secret("DJANGO_SECRET_KEY")
    ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS")
    # Its own key: whoever learns the secret key (or a copy of it) must not also learn who is behind
    # every pseudonym.
    PSEUDONYM_KEY = _required_secret("DDR_PSEUDONYM_KEY")
    if PSEUDONYM_KEY == SECRET_KEY:
        raise ImproperlyConfigured("DDR_PSEUDONYM_KEY must differ from DJANGO_SECRET_KEY.")

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
    "accounts.apps.KnoxConfig",  # knox, named for the admin
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "accounts.apps.AxesConfig",  # axes, named for the admin
    "django_htmx",
    "accounts",
    "core",
    "ddr",
    "cantonment",
    "integration",
    "cvr",
    "programme",  # above the domain apps: home, dashboard, archive, demo data
]

MIDDLEWARE = [
    # First: /healthz is answered before the HTTPS redirect and the Host check (core.middleware).
    "core.middleware.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "core.middleware.RefuseNulMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "core.middleware.NoStoreMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # After the messages: signing out an idle session leaves a message for the login page.
    "core.middleware.SessionTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "core.middleware.LoginRequiredMiddleware",
    # A service's refusal that no view caught: a message or a 400, never a 500 (core.errors).
    "core.middleware.RefusalMiddleware",
    # Our 403/404 (and, in the quick start, 500) pages, never Django's technical ones.
    "core.middleware.ErrorPagesMiddleware",
    # Last, as django-axes asks: it turns a lockout into its response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
# Django's, with selects drawn in Python (core.forms.FormRenderer): the same HTML, faster.
FORM_RENDERER = "core.forms.FormRenderer"
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
                "django.template.context_processors.i18n",
                "programme.navigation.navigation",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# A connection kept for a minute between requests: opening one costs PostgreSQL about 13 ms, more
# than a page of the API. Checked before reuse, so a restarted database costs one error, not many.
# 0 opens one per request (the default when DEBUG serves locally).
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=0 if DEBUG else 60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not memory, so a Celery worker started by a test can share the test database.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}
    DATABASES["default"]["OPTIONS"] = {"timeout": 20}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
# The person every case record belongs to: its queryset decides who sees a person (core.querysets).
PERSON_MODEL = "ddr.Combatant"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "accounts.backends.AdministratorRoleBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "programme:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# django-axes: lock a user name from one address after repeated failures.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = 1  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_IPWARE_META_PRECEDENCE_ORDER = ["REMOTE_ADDR"]

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("French")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Africa/Bamako"
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = True
# English dates with the month in letters (config/formats/en): never the US order.
FORMAT_MODULE_PATH = ["config.formats"]

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise expects it, even before collectstatic
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
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "/media/"

# Upload limits, in bytes. A larger list must be split; the refusal says so.
DDR_IMPORT_MAX_BYTES = env.int("DDR_IMPORT_MAX_BYTES", default=50_000_000)  # a movement's list
DDR_BENEFICIARY_IMPORT_MAX_BYTES = env.int("DDR_BENEFICIARY_IMPORT_MAX_BYTES", default=10_000_000)
DDR_WATCHLIST_IMPORT_MAX_BYTES = env.int("DDR_WATCHLIST_IMPORT_MAX_BYTES", default=5_000_000)
DDR_PHOTO_MAX_BYTES = env.int("DDR_PHOTO_MAX_BYTES", default=5_000_000)
# An import keeps at most this many errors (and their total): the page and the CSV stay small.
DDR_IMPORT_MAX_ERRORS = env.int("DDR_IMPORT_MAX_ERRORS", default=1000)
# Identity documents issued this many days or fewer before registration are flagged for age review.
DDR_DOCUMENT_FLAG_DAYS = env.int("DDR_DOCUMENT_FLAG_DAYS", default=30)

# Analysts read figures by whole periods of this many months: 1 (month), 3 (quarter) or 12 (year).
# Every cell of 1 to 4 people is left out of their figures, so the finer the grain the less they
# see (`core.suppression`). The quarter is the rhythm of the UN Secretary-General's reports on Mali.
DDR_ANALYST_PERIOD_MONTHS = env.int("DDR_ANALYST_PERIOD_MONTHS", default=3)
if DDR_ANALYST_PERIOD_MONTHS not in (1, 3, 12):
    raise ImproperlyConfigured("DDR_ANALYST_PERIOD_MONTHS must be 1 (month), 3 (quarter) or 12 (year).")

# Celery. The filesystem transport keeps the quick start free of Redis.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    _queue_dir = VAR_DIR / "celery" / "queue"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue_dir),
        "data_folder_out": str(_queue_dir),
        "control_folder": str(VAR_DIR / "celery" / "control"),
    }
    for _folder in (_queue_dir, VAR_DIR / "celery" / "control"):
        _folder.mkdir(parents=True, exist_ok=True)
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE
# Seconds a task that carries a job (an import, a recompute, a duplicate search) may run: then it
# stops and its job says it failed (core.tasks.JobTask); the worker kills it a minute later.
DDR_TASK_TIME_LIMIT = env.int("DDR_TASK_TIME_LIMIT", default=3600)
# Periodic jobs, run by `celery beat` (docker-compose) or the quick start's worker (`-B`).
CELERY_BEAT_SCHEDULE = {
    # A job whose task was killed is marked failed, so no page waits for it.
    "jobs-expire-stale": {"task": "core.tasks.jobs_expire_stale", "schedule": crontab(minute="*/10")},
    # Expired API tokens (a request checks only its own: accounts.auth).
    "tokens-purge-expired-hourly": {
        "task": "accounts.tasks.tokens_purge_expired_hourly",
        "schedule": crontab(minute=40),
    },
    "stays-daily": {"task": "cantonment.sites.tasks.stays_daily", "schedule": crontab(hour=5, minute=0)},
    "integration-one-third-daily": {
        "task": "integration.tasks.compliance_daily",
        "schedule": crontab(hour=5, minute=45),
    },
    "cvr-mix-nightly": {"task": "cvr.tasks.mix_refresh", "schedule": crontab(hour=2, minute=0)},
    "cvr-me-visits-daily": {"task": "cvr.tasks.me_visits_daily", "schedule": crontab(hour=5, minute=15)},
    "reintegration-follow-ups-daily": {
        "task": "ddr.reintegration.followup.tasks.follow_ups_daily",
        "schedule": crontab(hour=5, minute=50),
    },
    "grievances-flag-overdue-hourly": {
        "task": "ddr.accountability.grievances.tasks.grievances_flag_overdue",
        "schedule": crontab(minute=20),
    },
    "roadmaps-flag-overdue-daily": {
        "task": "programme.governance.tasks.roadmaps_flag_overdue",
        "schedule": crontab(hour=5, minute=55),
    },
    "stock-checks-weekly": {
        "task": "cantonment.weapons.tasks.stock_checks_weekly",
        "schedule": crontab(hour=5, minute=30, day_of_week="mon"),
    },
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.auth.TokenAuthentication",  # knox's, one query per request
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["accounts.permissions.RolePermission"],
    "DEFAULT_PAGINATION_CLASS": "core.pagination.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_THROTTLE_CLASSES": ["rest_framework.throttling.UserRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "user": env.str("API_THROTTLE_USER", default="5000/hour"),
        # Lists that identify people (core.exports.IdentifyingListMixin): 60 pages an hour.
        "identity": env.str("API_THROTTLE_IDENTITY", default="60/hour"),
    },
    "EXCEPTION_HANDLER": "core.api.exception_handler",
}
REST_KNOX = {"TOKEN_TTL": __import__("datetime").timedelta(hours=10), "AUTO_REFRESH": False}
SPECTACULAR_SETTINGS = {
    "TITLE": "DDR case management API",
    "DESCRIPTION": "Read access for commission staff and mission analysts. "
    "Analysts receive aggregates only, groups below 5 left out (core/suppression.py).",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "PersonStatusEnum": "ddr.models.Combatant.Status",
        "SiteStatusEnum": "cantonment.models.Site.Status",
        "ProjectStatusEnum": "cvr.models.Project.Status",
        "SiteKindEnum": "cantonment.models.Site.Kind",
        "WamKindEnum": "cantonment.models.WamItem.Kind",
        "CustodyEventKindEnum": "cantonment.models.CustodyEvent.Kind",
        "InventoryKindEnum": "cantonment.models.InventoryItem.Kind",
        "UnitKindEnum": "integration.models.Unit.Kind",
        "PartyEnum": "integration.models.Party",
        "ProjectKindEnum": "cvr.models.Project.Kind",
        "ArmedGroupKindEnum": "ddr.models.ArmedGroup.Kind",
        "SexEnum": "ddr.models.Sex",
        "BeneficiaryAgeBandEnum": "cvr.models.beneficiaries.AgeBand",
        "ComponentKindEnum": "ddr.models.Component.Kind",
        "FollowUpAcceptanceEnum": "ddr.models.Acceptance",
        "ConsentKindEnum": "ddr.models.ConsentKind",
        "ConsentOutcomeEnum": "ddr.models.ConsentRecord.Outcome",
        "GrievanceChannelEnum": "ddr.accountability.grievances.models.Channel",
        "PaymentChannelEnum": "ddr.reintegration.payments.models.Channel",
        "GrievanceCategoryEnum": "ddr.accountability.grievances.models.GrievanceCategory",
        "AppealKindEnum": "ddr.models.Appeal.Kind",
        # The reintegration figures' dimensions (programme.api): plain codes.
        "FigureSexEnum": ["M", "F"],
        "FigureAgeBandEnum": ["18-24", "25-34", "35-49", "50+", "unknown"],
        "FigurePhaseEnum": ["reinsertion", "reintegration"],
        "FigureStateEnum": ["due", "in_batch", "paid", "delivered", "cancelled"],
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "core.api.document_error_responses",
    ],
}

# Maps draw an outline of Mali shipped with the project; a tile server is optional (e.g. an
# OpenStreetMap mirror reachable from the mission's network): "https://tiles.example/{z}/{x}/{y}.png".
MAP_TILE_URL = env.str("MAP_TILE_URL", default="")
_tiles = urlsplit(MAP_TILE_URL)
MAP_TILE_ORIGIN = f"{_tiles.scheme}://{_tiles.netloc.replace('{s}', '*')}" if MAP_TILE_URL else ""

# Content Security Policy: only our own origin; no inline scripts anywhere.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", *([MAP_TILE_ORIGIN] if MAP_TILE_ORIGIN else [])],
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
    }
}

SESSION_COOKIE_HTTPONLY = True
# A session ends after DDR_SESSION_IDLE_MINUTES without a request, and DDR_SESSION_MAX_HOURS after
# signing in however active the user (core.middleware.SessionTimeoutMiddleware): a screen left open
# in a shared office does not stay signed in, nor does a stolen cookie work for two weeks.
DDR_SESSION_IDLE_MINUTES = env.int("DDR_SESSION_IDLE_MINUTES", default=30)
DDR_SESSION_MAX_HOURS = env.int("DDR_SESSION_MAX_HOURS", default=12)
SESSION_COOKIE_AGE = DDR_SESSION_MAX_HOURS * 3600
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("DJANGO_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

# Simple-history: history is read-only from the admin (no "revert").
SIMPLE_HISTORY_REVERT_DISABLED = True
SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "axes": {"level": "WARNING"},
        # WeasyPrint narrates every step of a PDF at INFO.
        "weasyprint": {"level": "ERROR"},
        "fontTools": {"level": "WARNING"},
    },
}
