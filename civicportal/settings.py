"""Settings for the civic portal, read from the environment (see .env.example).

Defaults give the embedded setup (SQLite file, a filesystem Celery broker, console
email/SMS); production sets DATABASE_URL, REDIS_URL, SECRET_KEY and DEBUG=false.
"""

import os
from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from civicportal.operations.logs import logging_config

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
# A local .env (made by the setup from .env.example) fills in what the environment lacks.
env_file = Path(os.environ.get("ENV_FILE", BASE_DIR / ".env"))
if env_file.is_file():
    env.read_env(str(env_file))

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is false.")
    SECRET_KEY = "dev-only-insecure-key-change-me-0123456789-abcdefghijklmnopqrstuvwxyz"

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")

INSTALLED_APPS = [
    # First: runserver then serves HTTP and websockets from the ASGI application.
    "daphne",
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
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "channels",
    "csp",
    "django_celery_beat",
    "axes",
    "corsheaders",
    "auditlog",
    "rules.apps.AutodiscoverRulesConfig",
    "civicportal.accounts",
    "civicportal.notifications",
    "civicportal.audit",
    "civicportal.realtime",
    "civicportal.outbox",
    "complaints",
    "polls",
    "proposals",
    "callcenter",
    "callcenter.chat",
    "open311",
    "directory",
    "opendata",
]

MIDDLEWARE = [
    # The request id of every log line, returned as X-Request-ID (civicportal/operations/logs.py).
    "civicportal.operations.logs.RequestIdMiddleware",
    # Counts and times every request for /metrics (civicportal/operations/metrics.py).
    "civicportal.operations.metrics.MetricsMiddleware",
    # First: a body too large is refused before anything reads it, and every error under
    # /api/ leaves as JSON of the one error shape, whichever layer answered it.
    "civicportal.middleware.ApiErrorShapeMiddleware",
    "civicportal.middleware.RequestSizeLimitMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "civicportal.middleware.RejectNulBytesMiddleware",
    # ETag on every GET: mobile apps polling a list get 304 when nothing changed.
    "django.middleware.http.ConditionalGetMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # A view that met a database outage answers 503 with Retry-After (civicportal/outages.py).
    "civicportal.outages.DatabaseOutageMiddleware",
    "auditlog.middleware.AuditlogMiddleware",
    "csp.middleware.CSPMiddleware",
    # Axes last: it turns a locked-out login into its lockout response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "civicportal.urls"
WSGI_APPLICATION = "civicportal.wsgi.application"
ASGI_APPLICATION = "civicportal.asgi.application"

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
                "civicportal.notifications.context_processors.unread_notifications",
                "civicportal.accounts.context_processors.work_links",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------
VAR_DIR.mkdir(exist_ok=True)
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'portal.sqlite3'}")}
_db = DATABASES["default"]
if _db["ENGINE"] == "django.db.backends.sqlite3":
    # WAL + IMMEDIATE transactions let web, worker and beat share one SQLite file.
    _db.setdefault("OPTIONS", {}).update(
        {"init_command": "PRAGMA journal_mode=WAL;", "transaction_mode": "IMMEDIATE", "timeout": 20}
    )
else:
    # Keep connections open between requests: closing them makes writes ~8x slower.
    _db["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    _db["CONN_HEALTH_CHECKS"] = True
    # A database that does not answer fails the request in seconds (503, civicportal/outages.py),
    # never hangs it.
    _db.setdefault("OPTIONS", {}).setdefault("connect_timeout", env.int("DATABASE_CONNECT_TIMEOUT", default=5))
    if _db["ENGINE"] == "django.db.backends.postgresql":
        # The same backend, with a health check that skips the round trip on a busy
        # connection and prepared statements for the hottest queries (civicportal/db).
        _db["ENGINE"] = "civicportal.db.postgresql"
    _db["TEST"] = {}
    if env.str("DATABASE_TEST_NAME", default=""):
        _db["TEST"]["NAME"] = env.str("DATABASE_TEST_NAME")
    if env.str("DATABASE_TEST_TEMPLATE", default=""):
        # A template created with a UTF-8 ctype, so trigram search works on Korean.
        _db["TEST"]["TEMPLATE"] = env.str("DATABASE_TEST_TEMPLATE")
# Behind a pooler in transaction mode (PgBouncer: DATABASE_POOLER=pgbouncer) a server connection
# changes between transactions: no prepared statements, no server-side (named) cursors.
DATABASE_POOLER = env.str("DATABASE_POOLER", default="")
if DATABASE_POOLER not in ("", "pgbouncer"):
    raise ImproperlyConfigured("DATABASE_POOLER is empty or 'pgbouncer'.")
DATABASE_PREPARED_STATEMENTS = env.bool("DATABASE_PREPARED_STATEMENTS", default=not DATABASE_POOLER)
if DATABASE_POOLER and _db["ENGINE"] != "django.db.backends.sqlite3":
    _db["DISABLE_SERVER_SIDE_CURSORS"] = True
    _db["OPTIONS"]["prepare_threshold"] = None

# A streaming replica for reads that may be a few seconds old (civicportal/dbrouting.py).
# Without DATABASE_REPLICA_URL there is one database and no router.
DATABASE_REPLICA_URL = env.str("DATABASE_REPLICA_URL", default="")
# After a client writes, its reads stay on the primary this long (read-your-writes).
DATABASE_REPLICA_STICKY_SECONDS = env.int("DATABASE_REPLICA_STICKY_SECONDS", default=10)
# A replica further behind than this is not read from.
DATABASE_REPLICA_MAX_LAG_SECONDS = env.float("DATABASE_REPLICA_MAX_LAG_SECONDS", default=5.0)
# How long one process trusts its last check of the replica (up or down, lag).
DATABASE_REPLICA_CHECK_SECONDS = env.float("DATABASE_REPLICA_CHECK_SECONDS", default=3.0)
if DATABASE_REPLICA_URL:
    if _db["ENGINE"] == "django.db.backends.sqlite3":
        raise ImproperlyConfigured("DATABASE_REPLICA_URL needs a PostgreSQL DATABASE_URL.")
    _replica = env.db_url_config(DATABASE_REPLICA_URL)
    _replica.update(
        ENGINE=_db["ENGINE"],
        CONN_MAX_AGE=_db["CONN_MAX_AGE"],
        CONN_HEALTH_CHECKS=True,
        DISABLE_SERVER_SIDE_CURSORS=_db.get("DISABLE_SERVER_SIDE_CURSORS", False),
    )
    _replica.setdefault("OPTIONS", {}).update(
        {key: value for key, value in _db["OPTIONS"].items() if key != "connect_timeout"}
    )
    # A replica that does not answer costs a request one short wait, then is skipped for a while.
    _replica["OPTIONS"]["connect_timeout"] = env.int("DATABASE_REPLICA_CONNECT_TIMEOUT", default=1)
    # Tests read the replica's rows from the test database itself.
    _replica["TEST"] = {"MIRROR": "default"}
    DATABASES["replica"] = _replica
    DATABASE_ROUTERS = ["civicportal.dbrouting.ReplicaRouter"]
    # Outside every other middleware: a write anywhere in the request (a session saved on the way
    # out included) keeps that client on the primary.
    MIDDLEWARE.insert(
        MIDDLEWARE.index("civicportal.middleware.ApiErrorShapeMiddleware"),
        "civicportal.dbrouting.ReadYourWritesMiddleware",
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Auth -------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "accounts:my_page"
LOGOUT_REDIRECT_URL = "home"

# Brute-force protection (django-axes): 5 failures per username+IP, locked 15 minutes.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "civicportal.views.lockout"
AXES_VERBOSE = False

# --- Internationalisation ---------------------------------------------------
LANGUAGE_CODE = "ko"
LANGUAGES = [("ko", _("Korean")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Seoul"
USE_I18N = True
USE_TZ = True

# --- Static and media --------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "civicportal.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Uploads on several hosts: one S3-compatible bucket (MinIO in docker-compose.yml), never a
# local folder that only one host sees. Files still leave only through each program's view
# (civicportal/files.py), so the bucket stays private.
MEDIA_STORAGE = env.str("MEDIA_STORAGE", default="filesystem")
if MEDIA_STORAGE == "s3":
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env.str("AWS_STORAGE_BUCKET_NAME"),
            # Empty: AWS itself; MinIO and other S3-compatible stores give their address.
            "endpoint_url": env.str("AWS_S3_ENDPOINT_URL", default="") or None,
            "region_name": env.str("AWS_S3_REGION_NAME", default="") or None,
            # Keys from the environment (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY), as boto3 reads them.
            "default_acl": "private",
            "file_overwrite": False,
            "addressing_style": env.str("AWS_S3_ADDRESSING_STYLE", default="path"),
            "signature_version": "s3v4",
        },
    }
elif MEDIA_STORAGE != "filesystem":
    raise ImproperlyConfigured("MEDIA_STORAGE is 'filesystem' or 's3'.")
# In development WhiteNoise serves straight from the finders (no collectstatic needed).
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG
# Upload limits: anything larger is refused before it reaches a view.
MAX_UPLOAD_BYTES = env.int("MAX_UPLOAD_BYTES", default=20 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# A whole request: a multipart body may carry five attachments of MAX_UPLOAD_BYTES beside its
# fields; any other body may not exceed DATA_UPLOAD_MAX_MEMORY_SIZE. Larger is refused with 413.
# Free-text limits are in civicportal/limits.py (docs/limits.md); a case's text is the one a
# city may well want to choose (the GeoReport v2 description allows 4,000 characters).
CASE_TEXT_MAX_CHARS = env.int("CASE_TEXT_MAX_CHARS", default=4000)
MAX_REQUEST_BYTES = env.int("MAX_REQUEST_BYTES", default=5 * MAX_UPLOAD_BYTES + DATA_UPLOAD_MAX_MEMORY_SIZE)
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- Email, SMS, push ------------------------------------------------------
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="civic-portal@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
SMS_BACKEND = env.str("SMS_BACKEND", default="civicportal.notifications.backends.ConsoleSMSBackend")
PUSH_BACKEND = env.str("PUSH_BACKEND", default="civicportal.notifications.backends.ConsolePushBackend")
# Post-commit work still not done after this is sent again by the outbox sweep (civicportal/outbox).
OUTBOX_RETRY_SECONDS = env.int("OUTBOX_RETRY_SECONDS", default=60)
# A claimed delivery is taken again by the sweep when its sender has not answered within this.
DELIVERY_LEASE_SECONDS = env.int("DELIVERY_LEASE_SECONDS", default=120)
NOTIFICATION_OUTBOX_DIR = env.path("NOTIFICATION_OUTBOX_DIR", default=str(VAR_DIR / "outbox"))
# HTTP gateways (civicportal.notifications.backends.HTTPSMSBackend / HTTPPushBackend).
SMS_GATEWAY_URL = env.str("SMS_GATEWAY_URL", default="")
SMS_GATEWAY_TOKEN = env.str("SMS_GATEWAY_TOKEN", default="")
SMS_SENDER_NUMBER = env.str("SMS_SENDER_NUMBER", default="")
PUSH_GATEWAY_URL = env.str("PUSH_GATEWAY_URL", default="")
PUSH_GATEWAY_TOKEN = env.str("PUSH_GATEWAY_TOKEN", default="")
# Emergency-alert fan-out: citizens per chunk task.
ALERT_CHUNK_SIZE = env.int("ALERT_CHUNK_SIZE", default=10_000)
# CAP 1.2 signatures: the PEM itself or the path of a PEM file; both empty = unsigned CAP.
CAP_SIGNING_KEY = env.str("CAP_SIGNING_KEY", default="")
CAP_SIGNING_CERTIFICATE = env.str("CAP_SIGNING_CERTIFICATE", default="")
CAP_SIGNING_KEY_PASSWORD = env.str("CAP_SIGNING_KEY_PASSWORD", default="")
# How long a new alert stays in force unless its author says otherwise (the form's default expiry).
ALERT_DEFAULT_HOURS = env.int("ALERT_DEFAULT_HOURS", default=6)
# The alerts in force shown under every page's header are read at most this often (and on every change).
ALERT_BANNER_CACHE_SECONDS = env.int("ALERT_BANNER_CACHE_SECONDS", default=30)

# --- Celery -----------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
else:
    # No server needed: kombu's filesystem transport, shared by web, worker and beat.
    _broker_dir = VAR_DIR / "celery-broker"
    (_broker_dir / "out").mkdir(parents=True, exist_ok=True)
    (_broker_dir / "processed").mkdir(parents=True, exist_ok=True)
    (_broker_dir / "control").mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "out"),
        "data_folder_out": str(_broker_dir / "out"),
        "processed_folder": str(_broker_dir / "processed"),
        "store_processed": False,
        # Broadcast (worker control) messages: under var/, not a "control" folder in the checkout.
        "control_folder": str(_broker_dir / "control"),
    }
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=CELERY_BROKER_URL)
if CELERY_BROKER_URL.startswith("redis://"):
    # kombu's Redis transport, publishing through one client instead of one per message.
    CELERY_BROKER_TRANSPORT = "civicportal.broker:Transport"
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# One beat for the whole city (civicportal/beatlock.py): the lock's lifetime, renewed while it runs.
BEAT_LOCK_SECONDS = env.int("BEAT_LOCK_SECONDS", default=60)
# The default schedule, gathered from each program's ``beat.py`` (plain data);
# django-celery-beat copies it into the database, where administrators can change it.
CELERY_BEAT_SCHEDULE: dict = {}
for _module in (
    "civicportal.outbox.beat",
    "civicportal.notifications.beat",
    "complaints.beat",
    "polls.beat",
    "proposals.beat",
    "callcenter.beat",
    "opendata.beat",
):
    CELERY_BEAT_SCHEDULE.update(__import__(_module, fromlist=["SCHEDULE"]).SCHEDULE)

# --- Cache --------------------------------------------------------------------
if REDIS_URL:
    # Degrades to no cache while Redis is down (civicportal/cache.py): short timeouts, so a
    # request never waits long on it.
    CACHES = {
        "default": {
            "BACKEND": "civicportal.cache.TolerantRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {
                "socket_connect_timeout": env.float("CACHE_CONNECT_TIMEOUT", default=0.5),
                "socket_timeout": env.float("CACHE_TIMEOUT", default=1.0),
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Real-time layer (Django Channels) -------------------------------------------
# Redis when it is there, so every ASGI process and worker reaches every socket; the in-memory
# layer serves the embedded default (one process: runserver serves HTTP and websockets).
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {
                # redis-py 8 reads with a 5 s socket timeout by default, the same 5 s the layer
                # blocks in BZPOPMIN: every idle socket's consumer crashed with TimeoutError.
                "hosts": [{"address": env.str("CHANNEL_LAYER_URL", default=REDIS_URL), "socket_timeout": 15}],
                "prefix": env.str("CHANNEL_LAYER_PREFIX", default="civic:ws"),
                "capacity": 1000,
                "expiry": 60,
            },
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
# A socket message larger than this is refused (bytes of the JSON text), and a socket may send
# at most REALTIME_RATE messages in REALTIME_RATE_SECONDS before its messages are refused.
REALTIME_MAX_MESSAGE_BYTES = env.int("REALTIME_MAX_MESSAGE_BYTES", default=16_000)
REALTIME_RATE = env.int("REALTIME_RATE", default=20)
REALTIME_RATE_SECONDS = env.int("REALTIME_RATE_SECONDS", default=10)
# /ws/echo/ answers any message: the benchmarks' baseline, off unless asked for.
REALTIME_ECHO = env.bool("REALTIME_ECHO", default=False)
# 120 live counselling: a counsellor whose connection dropped keeps a conversation this long;
# a citizen waiting longer than CALLCENTER_CHAT_ANSWER_SECONDS is offered to leave a message.
CALLCENTER_CHAT_GRACE_SECONDS = env.int("CALLCENTER_CHAT_GRACE_SECONDS", default=60)
CALLCENTER_CHAT_ANSWER_SECONDS = env.int("CALLCENTER_CHAT_ANSWER_SECONDS", default=180)
# /ws/live/: at most one "changed" per topic per this many seconds (a burst ends with one more);
# a poll's results at most every REALTIME_POLL_COALESCE_SECONDS (its pages polled every 3 s).
REALTIME_COALESCE_SECONDS = env.float("REALTIME_COALESCE_SECONDS", default=1.0)
REALTIME_POLL_COALESCE_SECONDS = env.float("REALTIME_POLL_COALESCE_SECONDS", default=3.0)
# The monitoring board (city-wide aggregates, polled every 30 s before): at most every 30 s.
REALTIME_BOARD_COALESCE_SECONDS = env.float("REALTIME_BOARD_COALESCE_SECONDS", default=30.0)
# Channel-layer calls in flight per ASGI process (channels-redis pools 100 connections).
REALTIME_LAYER_CONCURRENCY = env.int("REALTIME_LAYER_CONCURRENCY", default=50)
# Threads (each with its database connection) that run the sockets' database work in one ASGI
# process (civicportal/realtime/db.py): commits overlap instead of queueing behind one thread.
# Workers x this + the web's connections must stay under PostgreSQL's max_connections. SQLite
# has one writer at a time (and its shared in-memory test database fails a second at once): 1.
REALTIME_DB_THREADS = env.int(
    "REALTIME_DB_THREADS", default=1 if DATABASES["default"]["ENGINE"].endswith("sqlite3") else 8
)

# --- REST API -----------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "civicportal.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "civicportal.api.Pagination",
    "PAGE_SIZE": 20,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_THROTTLE_CLASSES": [
        "civicportal.throttling.AnonRateThrottle",
        "civicportal.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.str("THROTTLE_ANON", default="120/minute"),
        "user": env.str("THROTTLE_USER", default="1200/minute"),
        "token_obtain": env.str("THROTTLE_TOKEN", default="10/minute"),
        # Following a case with its tracking number and access code, per address (page and API).
        "case_track": env.str("THROTTLE_CASE_TRACK", default="10/minute"),
        # The public directory's API, per address (it is easy to scrape).
        "directory": env.str("THROTTLE_DIRECTORY", default="60/minute"),
        # Open-data downloads (each may stream a whole table), per address.
        "opendata_download": env.str("THROTTLE_OPENDATA_DOWNLOAD", default="30/minute"),
        # Starting a 120 live conversation, per address (page and API).
        "chat_start": env.str("THROTTLE_CHAT_START", default="20/hour"),
        # Images sent into a live conversation, per address (each is decoded and re-encoded).
        "chat_image": env.str("THROTTLE_CHAT_IMAGE", default="30/minute"),
    },
    "EXCEPTION_HANDLER": "civicportal.api.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Civic Portal API",
    "DESCRIPTION": "REST API of the civic portal for mobile and partner applications.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Self-hosted Swagger UI / Redoc assets: no CDN, and the CSP stays 'self'.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Every program has its own "status", "kind", "channel"...: name each enum after its owner.
    "ENUM_NAME_OVERRIDES": {
        "CaseKindEnum": "complaints.models.Kind",
        "CaseChannelEnum": "complaints.models.Channel",
        "CaseStatusEnum": "complaints.models.Status",
        "CaseEventKindEnum": "complaints.models.CaseEvent.Kind",
        "AttachmentKindEnum": "complaints.models.Attachment.Kind",
        "PollKindEnum": "polls.models.Poll.Kind",
        "PollEventKindEnum": "polls.models.PollEvent.Kind",
        "ThemedCallStatusEnum": "proposals.models.ThemedCall.Status",
        "ProposalStatusEnum": "proposals.models.Proposal.Status",
        "DecisionOutcomeEnum": "proposals.models.Decision.Outcome",
        "ProposalEventKindEnum": "proposals.models.ProposalEvent.Kind",
        "ContactChannelEnum": "callcenter.models.Contact.Channel",
        "ContactOutcomeEnum": "callcenter.models.Contact.Outcome",
        "ContactStatusEnum": "callcenter.models.Contact.Status",
        "ContactLanguageEnum": "callcenter.models.Contact.Language",
        "ConversationKindEnum": "callcenter.chat.models.Kind",
        "DepartmentKindEnum": "civicportal.accounts.models.Department.Kind",
        "ContactEventKindEnum": "callcenter.models.ContactEvent.Kind",
        "SuggestionStatusEnum": "callcenter.models.ArticleSuggestion.Status",
        "NotificationChannelEnum": "civicportal.notifications.models.Channel",
        "DeliveryStatusEnum": "civicportal.notifications.models.Delivery.Status",
        "AlertStatusEnum": "civicportal.notifications.models.EmergencyAlert.Status",
        "AlertDeliveryStatusEnum": "civicportal.notifications.models.AlertDelivery.Status",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "civicportal.api.add_error_responses",
    ],
}

# --- Security -------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
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

# --- Maps ---------------------------------------------------------------------------
# Location pickers draw tiles from MAP_TILE_URL (an XYZ template); empty turns the map off
# and leaves the plain latitude/longitude inputs. The CSP allows images from its host only.
MAP_TILE_URL = env.str("MAP_TILE_URL", default="https://tile.openstreetmap.org/{z}/{x}/{y}.png")
MAP_TILE_ATTRIBUTION = env.str(
    "MAP_TILE_ATTRIBUTION",
    default='&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors',
)
# Where a map opens before anything is picked (Seoul City Hall) and at which zoom.
MAP_CENTER = tuple(env.list("MAP_CENTER", cast=float, default=[37.5665, 126.9780]))
MAP_ZOOM = env.int("MAP_ZOOM", default=12)


def tile_source(url):
    """The CSP source of a tile URL template: ``https://tile.example.org``; a ``{s}``
    subdomain placeholder becomes a wildcard (``https://*.tile.example.org``); None for a
    URL on this site. Refuses a template a map could not use."""
    if not url:
        return None
    if not all(part in url for part in ("{z}", "{x}", "{y}")):
        raise ImproperlyConfigured("MAP_TILE_URL needs the {z}, {x} and {y} placeholders.")
    if url.startswith("/") and not url.startswith("//"):
        return None
    scheme, _sep, rest = url.partition("://")
    host = rest.split("/", 1)[0]
    if scheme not in ("https", "http") or not host or "{" in host.replace("{s}", ""):
        raise ImproperlyConfigured("MAP_TILE_URL must be an http(s) URL or a path on this site.")
    if host.startswith("{s}."):
        host = "*." + host[len("{s}.") :]
    elif "{s}" in host:
        raise ImproperlyConfigured("MAP_TILE_URL may use {s} only as the first label of its host.")
    return f"{scheme}://{host}"


if len(MAP_CENTER) != 2 or not (-90 <= MAP_CENTER[0] <= 90 and -180 <= MAP_CENTER[1] <= 180):
    raise ImproperlyConfigured("MAP_CENTER is 'latitude,longitude'.")
MAP_TILE_SOURCE = tile_source(MAP_TILE_URL)

# --- Video counselling (WebRTC) ----------------------------------------------------
# STUN/TURN servers the two browsers of a video or sign-language conversation use, as the JSON
# list RTCPeerConnection takes ([{"urls": "stun:stun.example.org:3478"}]); empty on one machine.
# TURN_URLS are served with credentials that expire after TURN_CREDENTIAL_SECONDS, made from
# TURN_SECRET by coturn's shared-secret scheme (use-auth-secret), and only to the conversation's
# two participants.
WEBRTC_ICE_SERVERS = env.json("WEBRTC_ICE_SERVERS", default=[])
TURN_URLS = env.list("TURN_URLS", default=[])
TURN_SECRET = env.str("TURN_SECRET", default="")
TURN_CREDENTIAL_SECONDS = env.int("TURN_CREDENTIAL_SECONDS", default=4 * 3600)


def _ice_urls(server):
    urls = server.get("urls") if isinstance(server, dict) else None
    return [urls] if isinstance(urls, str) else urls if isinstance(urls, list) else []


_ICE_SCHEMES = ("stun:", "stuns:", "turn:", "turns:")
if not isinstance(WEBRTC_ICE_SERVERS, list) or not all(
    _ice_urls(server) and all(isinstance(u, str) and u.startswith(_ICE_SCHEMES) for u in _ice_urls(server))
    for server in WEBRTC_ICE_SERVERS
):
    raise ImproperlyConfigured('WEBRTC_ICE_SERVERS is a JSON list like [{"urls": "stun:host:3478"}].')
if not all(url.startswith(("turn:", "turns:")) for url in TURN_URLS):
    raise ImproperlyConfigured("TURN_URLS are turn: or turns: URLs.")
if TURN_URLS and not TURN_SECRET:
    raise ImproperlyConfigured("TURN_URLS need TURN_SECRET (coturn's static-auth-secret).")
if TURN_CREDENTIAL_SECONDS < 60:
    raise ImproperlyConfigured("TURN_CREDENTIAL_SECONDS is at least 60.")

# Content Security Policy (django-csp): scripts and styles only from this site, map tiles
# from the one tile host.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "img-src": ["'self'", "data:", "blob:", *([MAP_TILE_SOURCE] if MAP_TILE_SOURCE else [])],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

# Open311 GeoReport v2
OPEN311_JURISDICTION_ID = env.str("OPEN311_JURISDICTION_ID", default="seoul.go.kr")

# CORS: only the origins an administrator lists, and only for the machine interfaces.
CORS_ALLOWED_ORIGINS = env.list("CORS_ALLOWED_ORIGINS", default=[])
CORS_URLS_REGEX = r"^/(api|open311)/.*$"

# django-auditlog: every change of registered models, with its actor.
AUDITLOG_INCLUDE_ALL_MODELS = False

# --- Operations: metrics ------------------------------------------------------------
# /metrics answers these addresses, or a request with "Authorization: Bearer <METRICS_TOKEN>".
METRICS_ALLOWED_IPS = env.list("METRICS_ALLOWED_IPS", default=["127.0.0.1", "::1"])
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")
# The city's gauges: modules with collect() (civicportal/operations/metrics.py).
METRICS_PROVIDERS = [
    "complaints.metrics",
    "civicportal.notifications.metrics",
    "callcenter.metrics",
    "civicportal.operations.queues",
]

# --- Operations: logs and error reporting ---------------------------------------------
# One JSON object per line (LOG_FORMAT=json, the default with DEBUG off) with the request id,
# carried into the tasks a request queues (civicportal/operations/logs.py); text while developing.
LOG_FORMAT = env.str("LOG_FORMAT", default="text" if DEBUG else "json")
LOGGING = logging_config(json=LOG_FORMAT == "json", level=env.str("LOG_LEVEL", default="INFO"))
# Optional error reporting: set SENTRY_DSN (no personal data is sent).
SENTRY_DSN = env.str("SENTRY_DSN", default="")
if SENTRY_DSN:
    import sentry_sdk

    sentry_sdk.init(
        dsn=SENTRY_DSN,
        send_default_pii=False,
        traces_sample_rate=env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0),
        environment=env.str("SENTRY_ENVIRONMENT", default="production"),
    )

# --- Portal rules -------------------------------------------------------------------
# The business day ends at 18:00: a simple case filed before it is due the same day.
BUSINESS_DAY_CUTOFF_HOUR = env.int("BUSINESS_DAY_CUTOFF_HOUR", default=18)

# Similar texts (civicportal/similarity.py): the score from which an open case nearby is shown
# as a possible duplicate, and an existing proposal as similar. Measured on
# tests/similarity/pairs.tsv: bench/similarity_quality.py.
SIMILARITY_THRESHOLDS = {
    "complaints": env.float("SIMILARITY_THRESHOLD_COMPLAINTS", default=0.42),
    "proposals": env.float("SIMILARITY_THRESHOLD_PROPOSALS", default=0.44),
}
# --- Open data ------------------------------------------------------------------------
# The licence of every published dataset: "kogl-1" (Korea Open Government License type 1,
# attribution) or "cc-by-4.0".
OPENDATA_LICENSE = env.str("OPENDATA_LICENSE", default="kogl-1")
if OPENDATA_LICENSE not in ("kogl-1", "cc-by-4.0"):
    raise ImproperlyConfigured("OPENDATA_LICENSE is 'kogl-1' or 'cc-by-4.0'.")
