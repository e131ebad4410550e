"""Settings for 减负闸, read from the environment.

SQLite is the embedded default; set DATABASE_URL (postgres://…) for production.
"""

import datetime
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    if value.lower() in ("0", "false", "no", "off"):
        return False
    raise ImproperlyConfigured(f"{name} must be 1/0 or true/false, not {value!r}")


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", False)
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG and not env_bool("DJANGO_INSECURE_DEV_KEY", False):
        raise ImproperlyConfigured(
            "Set DJANGO_SECRET_KEY (or DJANGO_DEBUG=1 for a development run)."
        )
    SECRET_KEY = "insecure-development-key-do-not-use-in-production"
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

# --- HTTPS and browser protections (on unless DEBUG) ---------------------------
# Behind a TLS-terminating proxy that sets X-Forwarded-Proto. For plain-HTTP
# loopback runs (benchmarks) set DJANGO_SECURE_SSL_REDIRECT=0.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", not DEBUG)
SESSION_COOKIE_HTTPONLY = True
SECURE_HSTS_SECONDS = 0 if DEBUG else int(os.environ.get("DJANGO_HSTS_SECONDS", "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Django 5.2 has no CSP of its own (6.0 has): config.middleware adds this header.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; object-src 'none'; "
    "frame-ancestors 'none'; form-action 'self'; base-uri 'self'"
)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "viewflow",
    "viewflow.workflow",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "quotas",
    "approvals",
    "grassroots",
]

# The Lean* middleware are Django's own, skipped for calls to /api/ that carry
# `Authorization: Token …` (config.middleware says why, and why not CSRF's).
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "config.middleware.LeanSessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "config.middleware.LeanAuthenticationMiddleware",
    "config.middleware.LeanMessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "config.middleware.ContentSecurityPolicyMiddleware",
    "config.middleware.DatabaseUnavailableMiddleware",
    # Last: turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
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
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "approvals.context_processors.workbench",
                "notifications.context_processors.bell",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------
# SQLite: WAL lets readers run beside the writer; IMMEDIATE takes the write
# lock at BEGIN, so two submitters queue on the busy timeout instead of one
# failing with "database is locked" when it upgrades a read lock.
SQLITE_PATH = Path(os.environ.get("SQLITE_PATH", BASE_DIR / "db" / "jianfuzha.sqlite3"))
SQLITE_OPTIONS = {
    "transaction_mode": "IMMEDIATE",
    "timeout": 30,
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
}

if os.environ.get("DATABASE_URL"):
    DATABASES = {
        "default": dj_database_url.parse(
            os.environ["DATABASE_URL"],
            conn_max_age=int(os.environ.get("DJANGO_CONN_MAX_AGE", "60")),
            # A `SELECT 1` before the first statement of each request that
            # reuses a connection, so a connection the database dropped is
            # replaced instead of failing that request (README: Performance).
            conn_health_checks=env_bool("DJANGO_DB_HEALTH_CHECKS", True),
        )
    }
else:
    SQLITE_PATH.parent.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": SQLITE_PATH,
            "OPTIONS": SQLITE_OPTIONS,
            # A file, not :memory:, so that threads in the concurrency tests
            # share one database.
            "TEST": {"NAME": str(SQLITE_PATH.parent / "test-jianfuzha.sqlite3")},
        }
    }
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A submitter waits at most this long for a busy quota row, then gets a
    # clear "retry" answer (config.middleware) instead of hanging a worker.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "options",
        "-c lock_timeout={} -c statement_timeout={}".format(
            os.environ.get("JIANFU_DB_LOCK_TIMEOUT_MS", "10000"),
            os.environ.get("JIANFU_DB_STATEMENT_TIMEOUT_MS", "60000"),
        ),
    )
    # Prepared statements: psycopg prepares a statement on the server once it
    # has run this many times on a connection, and PostgreSQL then skips
    # parsing and planning it (measured: -40 % of PostgreSQL's CPU per
    # submission). They need server-side parameter binding, and a
    # transaction-pooling PgBouncer older than 1.21 (or without
    # max_prepared_statements) breaks them: "off" turns both off (README).
    PREPARE_THRESHOLD = os.environ.get("DJANGO_DB_PREPARE_THRESHOLD", "5").strip().lower()
    if PREPARE_THRESHOLD not in ("off", ""):
        if not PREPARE_THRESHOLD.isdigit():
            raise ImproperlyConfigured(
                f"DJANGO_DB_PREPARE_THRESHOLD must be a whole number or off, not {PREPARE_THRESHOLD!r}")
        DATABASES["default"]["OPTIONS"].update(
            server_side_binding=True, prepare_threshold=int(PREPARE_THRESHOLD))
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(SQLITE_OPTIONS)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "quotas.User"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "approvals:todo"  # 待办 is where every role starts
LOGOUT_REDIRECT_URL = "login"

# --- Language and time ------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# Uploaded files (attachments, evidence) go through Django's storage API;
# STORAGES["default"] may point at object storage instead.
MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT", BASE_DIR / "media"))
MEDIA_URL = "media/"  # never served directly: downloads go through views that check access

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "config.staticfiles.AppDirectoriesFinder",  # skips what is never served
]
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

VIEWFLOW = {"AUTOREGISTER": True}

# --- Business thresholds (DESIGN.md: "thresholds are settings, not literals") -
JIANFU = {
    # 提级: a meeting drawing more than this many attendees from township
    # level or below goes to the leader.
    "ESCALATE_GRASSROOTS_ATTENDEES": int(os.environ.get("JIANFU_ESCALATE_GRASSROOTS", "50")),
    # Meeting limits checked at submission (2024 《整治形式主义为基层减负若干规定》):
    # 会期 in days of working time — a meeting with group discussion at most 1.5,
    # any other at most half a day; main report and leaders' speeches at most an
    # hour; a department's 综合性工作会议 at most once a year.
    "MEETING_MAX_DAYS": float(os.environ.get("JIANFU_MEETING_MAX_DAYS", "0.5")),
    "MEETING_DISCUSSION_MAX_DAYS": float(os.environ.get("JIANFU_MEETING_DISCUSSION_MAX_DAYS", "1.5")),
    "MEETING_SPEECH_MAX_MINUTES": int(os.environ.get("JIANFU_MEETING_SPEECH_MAX_MINUTES", "60")),
    "COMPREHENSIVE_MEETINGS_PER_YEAR": int(os.environ.get("JIANFU_COMPREHENSIVE_MEETINGS_PER_YEAR", "1")),
    # A working day: the hours a multi-day meeting can take each day, and its length.
    "WORKDAY_START_HOUR": int(os.environ.get("JIANFU_WORKDAY_START_HOUR", "8")),
    "WORKDAY_END_HOUR": int(os.environ.get("JIANFU_WORKDAY_END_HOUR", "18")),
    "WORKING_HOURS_PER_DAY": int(os.environ.get("JIANFU_WORKING_HOURS_PER_DAY", "8")),
    "MEETING_MAX_ATTENDEES": int(os.environ.get("JIANFU_MEETING_MAX_ATTENDEES", "300")),
    # A draft meeting's start and end may be at most this far apart (a typing
    # error beyond it is refused at input, before any rule check runs).
    "MEETING_MAX_SPAN_DAYS": int(os.environ.get("JIANFU_MEETING_MAX_SPAN_DAYS", "31")),
    # 督查检查考核 (2024 若干规定; Chengdu's visit limits per grassroots unit, counted
    # over every department's approved inspections of that unit).
    "INSPECTION_COMPREHENSIVE_PER_YEAR": int(os.environ.get("JIANFU_INSPECTION_COMPREHENSIVE_PER_YEAR", "1")),
    "INSPECTION_VISITS_PER_DAY": int(os.environ.get("JIANFU_INSPECTION_VISITS_PER_DAY", "1")),
    "INSPECTION_VISITS_PER_WEEK": int(os.environ.get("JIANFU_INSPECTION_VISITS_PER_WEEK", "2")),
    "INSPECTION_VISITS_PER_MONTH": int(os.environ.get("JIANFU_INSPECTION_VISITS_PER_MONTH", "3")),
    "INSPECTION_BANNED_CRITERIA": ["leader_instructions", "media_coverage", "photo_trail", "study_notes"],
    # 特事特办 emergencies in these fields are counted beyond a monthly inspection
    # cap (as overridden) instead of being refused at it (issue 16).
    "INSPECTION_MONTHLY_EXEMPT_EMERGENCIES": ["work_safety", "natural_disaster"],
    # 办理时限: working days each step may take (the outcome's from the item's date).
    "STEP_DAYS": {"head": 2, "office": 5, "leader": 5, "revise": 5, "outcome": 5},
    # Largest attachment or evidence file accepted, bytes.
    "UPLOAD_MAX_BYTES": int(os.environ.get("JIANFU_UPLOAD_MAX_BYTES", str(20 * 2**20))),
    # Document length limits in characters (2024 若干规定): 综合性 documents have
    # none (they escalate); those deploying a 专项 task or a specific job 4,000;
    # any other 5,000.
    "DOCUMENT_MAX_CHARS": int(os.environ.get("JIANFU_DOCUMENT_MAX_CHARS", "5000")),
    "DOCUMENT_SPECIFIC_MAX_CHARS": int(os.environ.get("JIANFU_DOCUMENT_SPECIFIC_MAX_CHARS", "4000")),
    # Working-time cost of one attendee-hour, ¥ (会议成本's 误工 part; the
    # per-diem class rates are data, MeetingCostRate).
    "WORKING_HOUR_COST": int(os.environ.get("JIANFU_WORKING_HOUR_COST", "50")),
    # 减负备案号, given to every approved item: {year} is the year it counts
    # against, {seq} its place in that year (gap-free).
    "REGISTRY_FORMAT": os.environ.get("JIANFU_REGISTRY_FORMAT", "江减备〔{year}〕{seq:04d}号"),
    # Public look-ups of a number (/verify/ and /api/v1/registry/) per client
    # address per minute: enough for a person, too few to enumerate numbers.
    "REGISTRY_LOOKUPS_PER_MINUTE": int(os.environ.get("JIANFU_REGISTRY_LOOKUPS_PER_MINUTE", "20")),
    # 明减暗增 flags: the office triages within this many working days; at most this
    # many evidence files per flag (each within UPLOAD_MAX_BYTES).
    "FLAG_TRIAGE_DAYS": int(os.environ.get("JIANFU_FLAG_TRIAGE_DAYS", "10")),
    "FLAG_MAX_FILES": int(os.environ.get("JIANFU_FLAG_MAX_FILES", "5")),
    # 逆向考核: a department's ratings are shown only when at least this many units
    # rated it (k-anonymity); a mean (of the four dimensions) below the second lets
    # the office open a 整改 item from the ratings.
    "EVALUATION_MIN_RESPONSES": int(os.environ.get("JIANFU_EVALUATION_MIN_RESPONSES", "3")),
    "EVALUATION_LOW_MEAN": float(os.environ.get("JIANFU_EVALUATION_LOW_MEAN", "3.0")),
    # The year-end report's 发文机关 (a department code); empty: the department of
    # the review office (a non-issuing department whose members review).
    "REPORT_ISSUER": os.environ.get("JIANFU_REPORT_ISSUER", ""),
}

# The public look-up's rate limit counts in the cache. The default (per process)
# is right for one process; with several, set DJANGO_CACHE_TABLE and run
# `manage.py createcachetable` so that every process counts in one place.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
if os.environ.get("DJANGO_CACHE_TABLE"):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache",
                          "LOCATION": os.environ["DJANGO_CACHE_TABLE"]}}

# bench/submit_bench.py's baseline endpoint (never set in production).
JIANFU_BENCH_BASELINE = env_bool("JIANFU_BENCH_BASELINE", False)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}

# Login lockout (django-axes): 5 failures for one username from one IP lock
# that pair for 15 minutes; nobody can lock a clerk out for good, and a
# correct login resets the count. `manage.py axes_reset_username NAME` lifts it early.
AXES_FAILURE_LIMIT = int(os.environ.get("JIANFU_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = datetime.timedelta(minutes=int(os.environ.get("JIANFU_LOGIN_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# Behind the TLS proxy every request comes from the proxy's address: name how
# many trusted proxies append to X-Forwarded-For so that the lockout keys on the
# client (config.client_ip). 0, the default, ignores the header (REMOTE_ADDR).
TRUSTED_PROXY_COUNT = int(os.environ.get("DJANGO_TRUSTED_PROXY_COUNT", "0"))
AXES_CLIENT_IP_CALLABLE = "config.client_ip.client_ip"

AUTHENTICATION_BACKENDS = [
    "quotas.backends.LoginLockoutBackend",
    # ModelBackend, reading the signed-in user with their roles in one statement.
    "approvals.authentication.SessionUserBackend",
    "approvals.permissions.RoleBackend",
]

# --- Year-end compliance report (reports/) -----------------------------------
# The PDF is rendered by a background task; `manage.py db_worker` runs the
# queue (django-tasks-db keeps it in the database, so any host can run it).
INSTALLED_APPS += ["django_tasks", "django_tasks_db", "reports"]
# --- Notifications (notifications/): in the app, and by e-mail unless a user turns it off.
# Console in `make run`; SMTP in production (DJANGO_EMAIL_HOST etc.); locmem in tests.
INSTALLED_APPS += ["notifications"]
EMAIL_BACKEND = os.environ.get("DJANGO_EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = os.environ.get("DJANGO_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("DJANGO_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("DJANGO_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("DJANGO_EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("DJANGO_EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "jianfuzha@localhost")
# Where links in e-mails point.
JIANFU_SITE_URL = os.environ.get("JIANFU_SITE_URL", "http://127.0.0.1:8000").rstrip("/")
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

# --- JSON API (/api/v1/, approvals.api) -----------------------------------------
# Token first: its WWW-Authenticate header makes "no credentials" a 401, not a 403.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "approvals.api.authentication.TokenWithRolesAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": ["approvals.api.parsers.StrictJSONParser"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "approvals.api.exceptions.api_exception_handler",
    "DEFAULT_PAGINATION_CLASS": "approvals.api.pagination.Pages",
    "PAGE_SIZE": 50,
    "DEFAULT_THROTTLE_RATES": {"registry": f"{JIANFU['REGISTRY_LOOKUPS_PER_MINUTE']}/min"},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "减负闸 API",
    "DESCRIPTION": "发文/会议申请、年度总量（总量熔断）与审核流程。Errors: {code, detail}.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "approvals.api.schema.state_enforced_rules",
    ],
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI from our own static files: the CSP allows no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "ProposalStateEnum": "approvals.models.State",
        "LevelEnum": "quotas.models.Level",
        "BreakerStateEnum": "quotas.models.BreakerState",
        "KindEnum": "quotas.models.Kind",
        "NotificationKindEnum": "notifications.models.Kind",
        "HoldEnum": "approvals.models.Hold",
    },
}
