"""Lyceum's one settings module.

Every setting is read from the environment. Each has an embedded default, so a fresh clone runs with
nothing set: SQLite under ``var/``, in-memory channel layer, local-memory cache and Celery tasks run
in-process. Setting ``REDIS_URL`` switches the cache, the channel layer and Celery to Redis.
Unsafe production settings fail at start (``ImproperlyConfigured``), not in production.
"""

from __future__ import annotations

import hashlib
import logging
import os
import secrets
from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("LYCEUM_VAR_DIR") or BASE_DIR / "var")
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def env_bool(name: str, default: bool) -> bool:
    """A boolean is ``true`` or ``false`` (any case); anything else is refused."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    value = raw.strip().lower()
    if value not in ("true", "false"):
        raise ImproperlyConfigured(f"{name} must be 'true' or 'false', not {raw!r}")
    return value == "true"


def env_int(name: str, default: int, *, minimum: int = 0) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, not {raw!r}") from None
    if value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, not {value}")
    return value


def env_float(name: str, default: float, *, minimum: float = 0.0) -> float:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a number, not {raw!r}") from None
    if not value >= minimum:  # NaN too
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, not {raw}")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)
TESTING = env_bool("LYCEUM_TESTING", False)

# --- secrets and hosts --------------------------------------------------------------------------
SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is false")
    # Development: one random key, generated on first start and kept, so sessions survive restarts.
    _key_file = VAR_DIR / "secret_key"
    if not _key_file.exists():
        _key_file.write_text(secrets.token_urlsafe(64))
        _key_file.chmod(0o600)
    SECRET_KEY = _key_file.read_text().strip()
elif len(SECRET_KEY) < 50 and not DEBUG:
    raise ImproperlyConfigured("SECRET_KEY must be at least 50 characters long")

# Chat sockets renew their presence and check they are still members this often (seconds).
CHAT_PRESENCE_HEARTBEAT_SECONDS = env_int("CHAT_PRESENCE_HEARTBEAT_SECONDS", 20, minimum=1)
# A room's join and leave announcements within this many seconds go out as one frame.
CHAT_PRESENCE_COALESCE_SECONDS = env_float("CHAT_PRESENCE_COALESCE_SECONDS", 1.0)
# Sockets without a token or the site's own session cookie must send {"type": "auth"} this soon.
SOCKET_AUTH_TIMEOUT_SECONDS = env_int("SOCKET_AUTH_TIMEOUT_SECONDS", 10, minimum=1)
# `manage.py init_data` creates the demo accounts, whose passwords the README prints, only in
# development, unless this is set (or it is given --allow-demo-accounts).
DEMO_ACCOUNTS_ALLOWED = env_bool("DEMO_ACCOUNTS_ALLOWED", DEBUG)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"])
if not DEBUG and not os.environ.get("ALLOWED_HOSTS"):
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set when DEBUG is false")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# --- applications -------------------------------------------------------------------------------
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework_simplejwt.token_blacklist",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "channels",
    "lyceum.core",
    "lyceum.accounts",
    "lyceum.access",
    "lyceum.courses",
    "lyceum.quizzes",
    "lyceum.chat",
    "lyceum.notifications",
    "lyceum.gamification",
    "lyceum.coding",
    "lyceum.payments",
    "lyceum.media",
    "lyceum.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "lyceum.access.audit.AuditMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "lyceum.core.middleware.ApiErrorMiddleware",
]

# N+1 query detection (django-zeal): on in development and in every test, off in production.
NPLUSONE_CHECK = env_bool("NPLUSONE_CHECK", DEBUG)
if NPLUSONE_CHECK:
    INSTALLED_APPS.append("zeal")
    MIDDLEWARE.insert(0, "zeal.middleware.zeal_middleware")
    MIDDLEWARE.insert(
        MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1,
        "lyceum.core.middleware.ResolveUserMiddleware",
    )
    # Development warns in the log ("py.warnings") and never breaks a page; the test suite sets
    # it to raise, so a test that walks into an N+1 fails (conftest.py).
    ZEAL_RAISE = env_bool("ZEAL_RAISE", False)
    ZEAL_SHOW_ALL_CALLERS = env_bool("ZEAL_SHOW_ALL_CALLERS", False)
    # A session is loaded once per request by design; the test client loads it again per call.
    ZEAL_ALLOWLIST = [{"model": "sessions.Session", "field": "*"}]

ROOT_URLCONF = "lyceum.urls"
WSGI_APPLICATION = "lyceum.wsgi.application"
# Threads that run HTTP requests in each server process (each keeps one database connection).
HTTP_THREADS = env_int("HTTP_THREADS", 4, minimum=1)
# How long the catalog and course pages stay cached for anonymous readers (0: never); every
# change drops them at once (lyceum/courses/cache.py).
CATALOG_CACHE_SECONDS = env_int("CATALOG_CACHE_SECONDS", 300, minimum=0)
# Quiz questions each server process keeps in memory (see lyceum/quizzes/selectors.py).
QUIZ_QUESTION_CACHE_SIZE = env_int("QUIZ_QUESTION_CACHE_SIZE", 20_000, minimum=1)
ASGI_APPLICATION = "lyceum.asgi.application"

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
                "lyceum.web.context_processors.site",
            ],
        },
    },
]

# --- database -----------------------------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'lyceum.sqlite3'}")
_db = environ.Env.db_url_config(DATABASE_URL)
if _db["ENGINE"] == "django.db.backends.sqlite3":
    _db["OPTIONS"] = {
        # Writers queue instead of failing with "database is locked"; WAL lets readers go on.
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # Tests use a database file too, not Django's in-memory default: its shared cache fails a
    # request at once ("database table is locked") when another request's thread holds a table,
    # where a file waits its turn as in production. Browser tests fire requests concurrently
    # (autosave, the bell, a submit), and a busy machine makes them overlap.
    _db["TEST"] = {"NAME": str(VAR_DIR / "test-lyceum.sqlite3")}
# HTTP requests run on a fixed pool of threads (see lyceum/asgi.py), so each thread keeps its
# connection between requests instead of opening one per request.
_db["CONN_MAX_AGE"] = env_int("DB_CONN_MAX_AGE", 300)
_db["CONN_HEALTH_CHECKS"] = True
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: cache, channel layer, Celery --------------------------------------------------------
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "lyceum"),
        }
    }
    # pubsub (default): one Redis PUBLISH per group message, fanned out to the sockets of each
    # process in memory; core: one Redis list per socket (bench/bench_chat.py compares them).
    _layer = env_str("CHANNEL_LAYER", "pubsub")
    if _layer not in ("pubsub", "core"):
        raise ImproperlyConfigured(f"CHANNEL_LAYER must be pubsub or core, not {_layer!r}")
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer"
            if _layer == "pubsub"
            else "channels_redis.core.RedisChannelLayer",
            "CONFIG": {
                # redis-py 8 times socket reads out after 5 s by default, shorter than the
                # blocking pop a socket waits in for its next message (channels_redis issue 422):
                # idle sockets were torn down. Reads may take up to 30 s here.
                "hosts": [{"address": REDIS_URL, "socket_timeout": 30}],
                "prefix": env_str("CACHE_KEY_PREFIX", "lyceum"),
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CHANNEL_LAYERS = {"default": {"BACKEND": "lyceum.core.layers.InMemoryChannelLayer"}}

# Points leaderboards: Redis sorted sets with REDIS_URL, else sums of the ledger in SQL
# (lyceum/gamification/boards.py).
LEADERBOARD_BACKEND = env_str("LEADERBOARD_BACKEND", "redis" if REDIS_URL else "sql")
if LEADERBOARD_BACKEND not in ("sql", "redis") or (LEADERBOARD_BACKEND == "redis" and not REDIS_URL):
    raise ImproperlyConfigured("LEADERBOARD_BACKEND is sql, or redis with REDIS_URL set")

CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", REDIS_URL or "memory://")
CELERY_RESULT_BACKEND = None
# Without a broker, tasks run in-process at once, so the embedded default needs no worker.
CELERY_TASK_ALWAYS_EAGER = env_bool(
    "CELERY_TASK_ALWAYS_EAGER", not CELERY_BROKER_URL.startswith(("redis", "amqp"))
)
CELERY_TASK_EAGER_PROPAGATES = True
# With tasks in-process, the embedded server (lyceum.asgi) runs them on one worker thread once no
# request is in flight (waiting at most EMBEDDED_TASKS_MAX_WAIT seconds), not inside the request
# that queued them: lyceum/core/embedded_worker.py.
EMBEDDED_TASKS_IN_BACKGROUND = env_bool("EMBEDDED_TASKS_IN_BACKGROUND", True)
EMBEDDED_TASKS_MAX_WAIT = env_float("EMBEDDED_TASKS_MAX_WAIT", 10.0, minimum=0.0)
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
# `celery -A lyceum beat` runs these; each task is a thin wrapper over a service.
CELERY_BEAT_SCHEDULE = {
    "close-expired-quiz-attempts": {
        "task": "lyceum.quizzes.tasks.close_expired_attempts",
        "schedule": 60.0,
    },
    "renew-and-expire-subscriptions": {
        "task": "lyceum.payments.tasks.sweep_subscriptions",
        "schedule": 60.0 * 15,
    },
    "sweep-videos-and-uploads": {
        "task": "lyceum.media.tasks.sweep",
        "schedule": 60.0 * 5,
    },
    "flush-expired-tokens": {
        "task": "lyceum.accounts.tasks.flush_expired_tokens",
        "schedule": 60.0 * 60,
    },
}

# --- authentication -----------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["lyceum.accounts.backends.EmailOrUsernameBackend"]
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:home"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_RESET_TIMEOUT = env_int("PASSWORD_RESET_TIMEOUT", 60 * 60, minimum=60)
EMAIL_VERIFICATION_TIMEOUT = env_int("EMAIL_VERIFICATION_TIMEOUT", 3 * 24 * 60 * 60, minimum=60)

# --- rate limits (lyceum/core/ratelimit.py) -------------------------------------------------------
# One policy per kind of action, "N/period" ("20/10 seconds", "100/hour"), counted atomically per
# user or client address and shared by the API, the pages and the sockets. With REDIS_URL the
# counts live in Redis and every server process shares them.
RATE_LIMIT_STORAGE_URL = env_str("RATE_LIMIT_STORAGE_URL", REDIS_URL or "memory://")
RATE_LIMIT_KEY_PREFIX = env_str("CACHE_KEY_PREFIX", "lyceum") + ":ratelimit"
RATE_LIMITS = {
    # Failed password checks (OWASP ASVS 2.2.1: at most 100 failures per account per hour; far
    # fewer per client address). Each attempt is counted before the password is checked and
    # given back if the password was right.
    "login_failure_account": env_str("LOGIN_FAILURE_RATE_PER_ACCOUNT", "100/hour"),
    "login_failure_ip": env_str("LOGIN_FAILURE_RATE_PER_IP", "20/hour"),
    "google_sign_in": env_str("RATE_GOOGLE_SIGN_IN", "60/minute"),  # per address
    "token_refresh": env_str("RATE_TOKEN_REFRESH", "300/minute"),  # per address (schools share one)
    "register": env_str("THROTTLE_REGISTER", "30/hour"),  # per address
    "account_email": env_str("THROTTLE_ACCOUNT_EMAIL", "10/hour"),  # per address
    "markdown_preview": env_str("RATE_MARKDOWN_PREVIEW", "120/minute"),  # per user
    # Chat messages sent or edited, through the API or a socket, per user.
    "chat_send": env_str("RATE_CHAT_SEND", "20/10 seconds"),
    # Any frame on a chat socket (typing, read, resume, ping), per user across sockets.
    "chat_frame": env_str("RATE_CHAT_FRAME", "120/10 seconds"),
    # Group rooms created and people invited, per user.
    "chat_invite": env_str("RATE_CHAT_INVITE", "30/hour"),
    # Programs run in the code runner's sandbox, per user (lyceum/coding).
    "code_run": env_str("RATE_CODE_RUN", "30/minute"),
    # Watch-progress reports (the player sends one every 5 s), per user across videos and tabs.
    "video_progress": env_str("RATE_VIDEO_PROGRESS", "60/minute"),
    # Resumable uploads opened, per user (their chunks are not counted).
    "upload_open": env_str("RATE_UPLOAD_OPEN", "60/hour"),
}

# The code runner (lyceum/coding/sandbox.py): runs at once on this machine, the first slot's uid,
# and where runs keep their files.
CODE_RUNNER_SLOTS = env_int("CODE_RUNNER_SLOTS", os.cpu_count() or 1, minimum=1)
CODE_RUNNER_BASE_UID = env_int("CODE_RUNNER_BASE_UID", 61000, minimum=1000)
CODE_RUNNER_WORK_DIR = env_str("CODE_RUNNER_WORK_DIR", "/run/lyceum-runner")

GOOGLE_CLIENT_ID = env_list("GOOGLE_CLIENT_ID", [])
GOOGLE_CERTS_URL = env_str("GOOGLE_CERTS_URL", "https://www.googleapis.com/oauth2/v1/certs")

SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=env_int("JWT_ACCESS_MINUTES", 5, minimum=1)),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=env_int("JWT_REFRESH_DAYS", 14, minimum=1)),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "UPDATE_LAST_LOGIN": True,
    # An access token names a digest of the password hash: changing the password ends it at once.
    "CHECK_REVOKE_TOKEN": True,
    "USER_ID_FIELD": "id",
    "USER_ID_CLAIM": "user_id",
    "AUTH_HEADER_TYPES": ("Bearer",),
}

# --- API ----------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "lyceum.accounts.authentication.JWTAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "lyceum.core.pagination.PageNumberPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "lyceum.core.errors.api_exception_handler",
    # JSON bodies only; views that take an upload set parser_classes = UPLOAD_PARSERS.
    "DEFAULT_PARSER_CLASSES": ["lyceum.core.parsers.JSONParser"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"]
    + (["rest_framework.renderers.BrowsableAPIRenderer"] if DEBUG else []),
    # Client addresses come from REMOTE_ADDR unless NUM_PROXIES trusted proxies set X-Forwarded-For.
    "NUM_PROXIES": env_int("NUM_PROXIES", 0),
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Lyceum API",
    "DESCRIPTION": (
        "REST API of Lyceum, the open-source learning platform. Authenticate with "
        "`Authorization: Bearer <access token>` from `/api/auth/login/`. Every error has the shape "
        '`{"error": {"code", "message", "fields"}}`.'
    ),
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/",
    # Swagger UI's files are served from this server, not a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    # One name for a choice set several fields share.
    "ENUM_NAME_OVERRIDES": {
        "ReviewMomentEnum": "lyceum.quizzes.models.Quiz.Review",
        "RunStatusEnum": "lyceum.coding.sandbox.RUN_STATUSES",
        "StatusEnum": "lyceum.quizzes.models.QuizAttempt.Status",  # the name it had before runs
        "PaymentStatusEnum": "lyceum.payments.models.Transaction.Status",
        "SubscriptionStatusEnum": "lyceum.payments.models.Subscription.Status",
        "VideoStatusEnum": "lyceum.media.models.Video.Status",
        "RecordingStatusEnum": "lyceum.media.models.Recording.Status",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "lyceum.core.schema.add_error_responses",
    ],
}

# --- email --------------------------------------------------------------------------------------
if env_str("EMAIL_URL"):
    vars().update(environ.Env.email_url_config(env_str("EMAIL_URL")))
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Lyceum <no-reply@lyceum.localhost>")

# --- payments (lyceum/payments) ----------------------------------------------------------------
# Who takes new payments: sandbox (offline, the default), stripe or razorpay. Webhooks of every
# provider are accepted at /api/webhook/payment/ whatever this says (a switch leaves some in flight).
PAYMENTS_PROVIDER = env_str("PAYMENTS_PROVIDER", "sandbox")
if PAYMENTS_PROVIDER not in ("sandbox", "stripe", "razorpay"):
    raise ImproperlyConfigured("PAYMENTS_PROVIDER is one of sandbox, stripe, razorpay")
# A signed webhook is refused when its timestamp is this far from now, either side (seconds).
PAYMENTS_WEBHOOK_TOLERANCE = env_int("PAYMENTS_WEBHOOK_TOLERANCE", 300, minimum=1)
# The sandbox signs its webhooks with this (derived from SECRET_KEY unless set).
PAYMENTS_SANDBOX_SECRET = (
    env_str("PAYMENTS_SANDBOX_SECRET")
    or "whsec_sbx_" + hashlib.sha256(f"lyceum-sandbox-webhooks:{SECRET_KEY}".encode()).hexdigest()
)
# http: the sandbox posts its webhooks to SITE_URL, as a provider would; inline: it calls the
# webhook's service in-process after commit (tests, or a SITE_URL this server cannot reach).
PAYMENTS_SANDBOX_DELIVERY = env_str("PAYMENTS_SANDBOX_DELIVERY", "http")
PAYMENTS_SANDBOX_DELAY_SECONDS = env_float("PAYMENTS_SANDBOX_DELAY_SECONDS", 5.0)
STRIPE_SECRET_KEY = env_str("STRIPE_SECRET_KEY")
# Comma-separated: during a rotation, the new secret and the old one.
STRIPE_WEBHOOK_SECRETS = env_list("STRIPE_WEBHOOK_SECRETS", [])
STRIPE_API_BASE = env_str("STRIPE_API_BASE")  # stripe-mock, or a recording proxy in tests
RAZORPAY_KEY_ID = env_str("RAZORPAY_KEY_ID")
RAZORPAY_KEY_SECRET = env_str("RAZORPAY_KEY_SECRET")
RAZORPAY_WEBHOOK_SECRET = env_str("RAZORPAY_WEBHOOK_SECRET")
RAZORPAY_API_BASE = env_str("RAZORPAY_API_BASE")
INVOICE_PREFIX = env_str("INVOICE_PREFIX", "LYC")
INVOICE_SELLER = env_str("INVOICE_SELLER", "Lyceum Learning\nhttps://lyceum.example")

# --- files --------------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
WHITENOISE_USE_FINDERS = DEBUG
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT") or VAR_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
# Lyceum serves avatars and course covers at MEDIA_URL itself unless nginx does (deployment.md).
SERVE_PUBLIC_MEDIA = env_bool("SERVE_PUBLIC_MEDIA", True)
# Set (e.g. "/protected-media/") when nginx serves private files: the view authorises each
# download and answers with X-Accel-Redirect to this internal location (docs/deployment.md).
MEDIA_ACCEL_REDIRECT_PREFIX = env_str("MEDIA_ACCEL_REDIRECT_PREFIX")
AVATAR_MAX_BYTES = env_int("AVATAR_MAX_BYTES", 2 * 1024 * 1024, minimum=1024)
AVATAR_MAX_PIXELS = 4096 * 4096
LESSON_RESOURCE_MAX_BYTES = env_int("LESSON_RESOURCE_MAX_BYTES", 50 * 1024 * 1024, minimum=1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- video and recordings (lyceum/media) -------------------------------------------------------
# Uploads: the tus protocol (README "Video lessons and recordings"); partial uploads grow on local
# disk here (a volume every web process shares when there are several hosts) until complete.
UPLOADS_PARTIAL_DIR = Path(env_str("UPLOADS_PARTIAL_DIR") or VAR_DIR / "uploads")
UPLOAD_EXPIRY_HOURS = env_int("UPLOAD_EXPIRY_HOURS", 24, minimum=1)
UPLOAD_CHUNK_MAX_BYTES = env_int("UPLOAD_CHUNK_MAX_BYTES", 64 * 1024 * 1024, minimum=64 * 1024)
LESSON_VIDEO_MAX_BYTES = env_int("LESSON_VIDEO_MAX_BYTES", 2 * 1024 * 1024 * 1024, minimum=1024)
RECORDING_MAX_BYTES = env_int("RECORDING_MAX_BYTES", 500 * 1024 * 1024, minimum=1024)
CAPTIONS_MAX_BYTES = env_int("CAPTIONS_MAX_BYTES", 1024 * 1024, minimum=1024)
FFMPEG_BINARY = env_str("FFMPEG_BINARY", "ffmpeg")
FFPROBE_BINARY = env_str("FFPROBE_BINARY", "ffprobe")
# One ffmpeg/ffprobe run may take this long; a video left "processing" twice as long is failed.
VIDEO_PROCESS_TIMEOUT = env_int("VIDEO_PROCESS_TIMEOUT", 60 * 60, minimum=10)
VIDEO_HLS_SEGMENT_SECONDS = env_int("VIDEO_HLS_SEGMENT_SECONDS", 4, minimum=1)
# Signed stream addresses (HLS playlists, segments, the source) last this long.
VIDEO_STREAM_URL_MAX_AGE = env_int("VIDEO_STREAM_URL_MAX_AGE", 6 * 60 * 60, minimum=60)
# A video is complete when this share of it has really been played (not when the play head
# reached the end). A report may claim at most wall time x the fastest speed + slack, and at most
# VIDEO_REPORT_MAX_SECONDS of playing; the player reports every few seconds.
VIDEO_COMPLETION_SHARE = env_float("VIDEO_COMPLETION_SHARE", 0.9)
VIDEO_MAX_PLAYBACK_RATE = env_float("VIDEO_MAX_PLAYBACK_RATE", 2.0)
VIDEO_REPORT_SLACK_SECONDS = env_float("VIDEO_REPORT_SLACK_SECONDS", 3.0)
VIDEO_REPORT_MAX_SECONDS = env_float("VIDEO_REPORT_MAX_SECONDS", 120.0)
# init_data makes and processes a short demo video (needs ffmpeg); the test suite turns it off
# except where a test watches it.
DEMO_VIDEO = env_bool("DEMO_VIDEO", True)

# --- i18n ---------------------------------------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- security -----------------------------------------------------------------------------------
# Content-Security-Policy of every page (django-csp): scripts only from this site's own files,
# never inline, so a script that slips into a page has nowhere to run. Styles may be inline
# (progress bars set a width). Lesson videos may embed YouTube (no-cookie) and Vimeo players.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "media-src": ["'self'", "https:", "blob:"],  # blob: hls.js's Media Source, recordings
        "connect-src": ["'self'"],
        "frame-src": ["https://www.youtube-nocookie.com", "https://player.vimeo.com"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
if GOOGLE_CLIENT_ID:
    # Google Identity Services' button on the login page (its script, styles, iframe and calls).
    _gsi = "https://accounts.google.com/gsi/"
    for _directive in ("script-src", "style-src", "frame-src", "connect-src"):
        CONTENT_SECURITY_POLICY["DIRECTIVES"][_directive].append(_gsi)
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["form-action"].append("https://accounts.google.com")
if PAYMENTS_PROVIDER == "stripe":
    # "Buy" posts a form that redirects to Stripe Checkout: Chrome applies form-action to it.
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["form-action"].append("https://checkout.stripe.com")
if PAYMENTS_PROVIDER == "razorpay":
    # Razorpay's Checkout: its script, and the iframe it opens.
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["script-src"].append("https://checkout.razorpay.com")
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["frame-src"].append("https://api.razorpay.com")
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["connect-src"].append("https://lumberjack.razorpay.com")
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
# Google's sign-in button needs to see which site it is on (the origin, never the path).
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin" if GOOGLE_CLIENT_ID else "same-origin"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
if env_bool("TRUST_X_FORWARDED_PROTO", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- logging ------------------------------------------------------------------------------------
logging.captureWarnings(True)  # warnings (zeal's N+1 reports among them) go to the log
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.request": {"level": "ERROR"}},
}
