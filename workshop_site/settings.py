"""Settings for the workshop site, read from the environment only.

With nothing set the site runs embedded: SQLite under var/, the local-memory cache and the
in-memory channel layer, so a checkout runs with no services. DATABASE_URL and REDIS_URL switch
to PostgreSQL, django-redis and channels-redis. `.env.example` documents every variable.
"""

from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from workshop_site.env import (
    env_bool,
    env_float,
    env_int,
    env_list,
    env_str,
    env_url,
    read_secret_key,
)

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = read_secret_key(debug=DEBUG, base_dir=BASE_DIR)

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
# The public address used in links that leave the site (invitation links, e-mails, QR codes)
# when there is no request to build them from, e.g. in management commands.
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "channels",
    "csp",
    "django_htmx",
    "template_partials",
    "allauth",
    "workshop_site.thirdparty_apps.LoginEmailConfig",  # allauth.account, named for the admin
    "workshop_site.thirdparty_apps.SingleSignOnConfig",  # allauth.socialaccount
    "allauth.socialaccount.providers.openid_connect",
    "django_tasks",
    "workshop_site.thirdparty_apps.TasksDatabaseConfig",  # django_tasks_db
    "workshop_site",
    "accounts",
    "workshops",
    "ai",
    "board",
]

MIDDLEWARE = [
    # The platform's health probe, before host validation and the HTTPS redirect (health.py).
    "workshop_site.health.HealthProbeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "workshop_site.observability.RequestIdMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "workshop_site.observability.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "workshop_site.observability.SessionLimitsMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

# HTTP requests a web process runs at once, each on a reused thread (workshop_site/
# http_threads.py); more wait their turn. The GIL runs one at a time anyway: more threads only
# help while requests wait on something slow (an e-mail, the database), and cost every request
# GIL waits under load. BENCHMARKS.md has the measurements.
WEB_THREADS = env_int("WEB_THREADS", 2, minimum=1)

ROOT_URLCONF = "workshop_site.urls"
WSGI_APPLICATION = None
ASGI_APPLICATION = "workshop_site.asgi.application"

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
                "workshop_site.observability.csp_nonce",
                "accounts.context_processors.sso",
            ],
            "builtins": [
                "template_partials.templatetags.partials",
                "workshop_site.templatetags.korean",
            ],
        },
    },
]

FORM_RENDERER = "workshop_site.forms.FormRenderer"

# --- Database --------------------------------------------------------------------------------

DATABASE_URL = env_url("DATABASE_URL", schemes=("postgres", "postgresql", "sqlite"))
if DATABASE_URL:
    # Connections belong to threads, and under ASGI more threads than the web threads touch the
    # database (consumers, the live publisher, one-off threads): persistent connections would
    # pile up. Keep CONN_MAX_AGE at 0 and use psycopg's pool instead.
    database = dj_database_url.parse(DATABASE_URL, conn_max_age=0)
    # A form's <select> of domains iterates its queryset; on PostgreSQL that is a server-side
    # cursor (DECLARE, FETCH, CLOSE: three round trips for a few rows), twice per task form.
    # Nothing here streams result sets large enough to need one.
    database["DISABLE_SERVER_SIDE_CURSORS"] = True
    if database["ENGINE"] == "django.db.backends.postgresql" and env_bool("DATABASE_POOL", False):
        # A pooled connection that died with a database restart is found and replaced when
        # it is handed out (Django passes psycopg's check_connection to the pool; a round trip
        # of well under a millisecond on a LAN), instead of failing the request that drew it.
        database["CONN_HEALTH_CHECKS"] = True
        database.setdefault("OPTIONS", {})["pool"] = {
            "min_size": env_int("DATABASE_POOL_MIN", 2, minimum=0),
            "max_size": env_int("DATABASE_POOL_MAX", 10, minimum=1),
            # Wait at most this long for a free connection, then fail cleanly (503).
            "timeout": env_float("DATABASE_POOL_TIMEOUT", 5, minimum=1),
        }
    DATABASES = {"default": database}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": BASE_DIR / "var" / "db.sqlite3",
            # Tests that start real server processes need a test database in a file they
            # can share (support/testenv.py names one); otherwise Django's in-memory default.
            "TEST": {"NAME": env_str("SQLITE_TEST_NAME") or None},
            # The web process and the worker share this file: WAL lets readers run beside a
            # writer, and IMMEDIATE transactions wait for the write lock instead of failing.
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache and channel layer -----------------------------------------------------------------

REDIS_URL = env_url("REDIS_URL", schemes=("redis", "rediss", "unix"))
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "ws",
            "OPTIONS": {
                "SOCKET_CONNECT_TIMEOUT": 2,
                "SOCKET_TIMEOUT": 2,
            },
        }
    }
    # Redis is a cache here, not a store: when it is down, pages and writes go on (a cache
    # miss, no counting, no presence), the error is logged, and live updates resume when it
    # returns. Rate limits then follow RATELIMIT_FAIL_OPEN.
    DJANGO_REDIS_IGNORE_EXCEPTIONS = True
    DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
    DJANGO_REDIS_LOGGER = "workshop_site.cache"
    # "pubsub" (default): channels-redis's pub/sub layer with our per-socket capacity
    # (workshops.live.layers): a group message crosses Redis once per process, not once per
    # socket; at 500 sockets p95 119 ms against 274 ms (BENCHMARKS.md, issue 17). It keeps
    # nothing for a process cut off from Redis. "core": the list-based layer, which keeps a
    # message `expiry` seconds.
    CHANNEL_LAYER_KIND = env_str("CHANNEL_LAYER", "pubsub")
    if CHANNEL_LAYER_KIND not in {"core", "pubsub"}:
        raise ImproperlyConfigured(
            f"CHANNEL_LAYER must be core or pubsub, got {CHANNEL_LAYER_KIND!r}"
        )
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": {
                "core": "channels_redis.core.RedisChannelLayer",
                "pubsub": "workshops.live.layers.BoundedPubSubChannelLayer",
            }[CHANNEL_LAYER_KIND],
            # capacity: messages waiting per socket before new ones are dropped (and counted,
            # see workshops.live.metrics). A socket that is 1,000 pushes behind is dead; its
            # reconnect brings a fresh snapshot anyway. group_expiry: a socket silently gone
            # leaves its groups after a day at most; live ones re-join on every connect.
            # socket_timeout: redis-py 8 defaults to 5 s, the same as channels-redis's blocking
            # receive (BZPOPMIN, 5 s), so an idle process's receive loop timed out and took a
            # consumer down with it. Reads may take longer than the blocking wait.
            "CONFIG": {
                "hosts": [
                    {"address": REDIS_URL, "socket_timeout": 15, "socket_connect_timeout": 5}
                ],
                "capacity": env_int("CHANNEL_CAPACITY", 1000, minimum=10),
                "group_expiry": env_int("CHANNEL_GROUP_EXPIRY", 86400, minimum=60),
                "expiry": 60,
                "prefix": "ws-channels",
            },
        }
    }
else:
    # Django's default of 300 entries would evict AI answers of a single 1,000-task workshop.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "OPTIONS": {"MAX_ENTRIES": 20000},
        }
    }
    CHANNEL_LAYERS = {"default": {"BACKEND": "workshops.live.layers.CountingInMemoryChannelLayer"}}

# The instructor's board is re-rendered at most once per this many seconds per workshop.
LIVE_BOARD_DEBOUNCE = env_float("LIVE_BOARD_DEBOUNCE", 0.5, minimum=0)
# The pulse (workshop-wide counts, to every socket) goes out at most once per this many seconds
# per workshop: at once if none went out in the window, else once at its end. It bounds the
# fan-out of a busy workshop to sockets / window messages a second: 300 leads writing 18 changes
# a second sent 3,000 pulses a second at 0.1 s, which alone held both cores (BENCHMARKS.md, "HTTP
# load"). A team's own changes reach its pages at once; only the workshop's counts wait, at
# most a second. 0: one per change.
LIVE_PULSE_WINDOW = env_float("LIVE_PULSE_WINDOW", 1.0, minimum=0)
# A large room's pulses go further apart: at most this many pulse messages a second per
# workshop over all its sockets (300 open team pages: one pulse every 3 s). Each costs a
# process ~0.7 ms of CPU (BENCHMARKS.md, "Third pass"). 0: the window alone.
LIVE_PULSE_FRAMES = env_float("LIVE_PULSE_FRAMES", 100.0, minimum=0)
# How long a team's rendered regions stay in the cache (board.render.TeamView). A change never
# waits for this: it bumps the team's revision, which the key holds (workshops.revisions). 0
# turns the cache off; so does DEBUG (templates change under the development server).
PAGE_CACHE_SECONDS = env_int("PAGE_CACHE_SECONDS", 1800, minimum=0)

# --- Background tasks ------------------------------------------------------------------------

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# Exports (board.export_files): a workshop with more tasks than this is exported on the worker
# (a "준비 중" page, then the file) instead of in the request, which would hold one of
# WEB_THREADS for seconds. Built files are kept this many minutes, then deleted; a file not
# built within EXPORT_BUILD_TIMEOUT seconds is offered again.
EXPORT_INLINE_MAX_TASKS = env_int("EXPORT_INLINE_MAX_TASKS", 500, minimum=0)
EXPORT_KEEP_MINUTES = env_int("EXPORT_KEEP_MINUTES", 60, minimum=1)
EXPORT_BUILD_TIMEOUT = env_int("EXPORT_BUILD_TIMEOUT", 300, minimum=10)

# --- AI analysis -----------------------------------------------------------------------------

# No key: the rule-based estimator answers, clearly labelled, and nothing leaves the machine.
ANTHROPIC_API_KEY = env_str("ANTHROPIC_API_KEY")
ANTHROPIC_BASE_URL = env_url("ANTHROPIC_BASE_URL", schemes=("http", "https")) or None
# The SDK waits up to 10 minutes by default; a worker must never hang that long.
AI_TIMEOUT_SECONDS = env_float("AI_TIMEOUT_SECONDS", 45, minimum=1)
AI_MAX_RETRIES = env_int("AI_MAX_RETRIES", 2, minimum=0)
AI_BATCH_SIZE = env_int("AI_BATCH_SIZE", 20, minimum=1)
AI_CONCURRENCY = env_int("AI_CONCURRENCY", 3, minimum=1)
AI_CACHE_TTL = env_int("AI_CACHE_TTL", 24 * 60 * 60, minimum=0)
# A running analysis whose worker has not reported for this long is taken over.
AI_RUN_STALE_SECONDS = env_int("AI_RUN_STALE_SECONDS", 120, minimum=10)
# How often the worker asks the Message Batches API whether an economy batch is done.
AI_BATCH_POLL_SECONDS = env_float("AI_BATCH_POLL_SECONDS", 60, minimum=0)
# Budget alerts go to this Slack incoming webhook (and to ADMIN_EMAILS).
SLACK_WEBHOOK_URL = env_url("SLACK_WEBHOOK_URL", schemes=("https", "http"))

# --- Rate limits (django-ratelimit, on the shared cache) ------------------------------------

AI_RATE_LIMIT = env_str("AI_RATE_LIMIT", "20/h")
WRITE_RATE_LIMIT = env_str("WRITE_RATE_LIMIT", "100/15m")
# Downloads of exports (XLSX, CSV) per person: a few of each sheet, not a loop.
EXPORT_RATE_LIMIT = env_str("EXPORT_RATE_LIMIT", "20/10m")
# Wrong join codes, per person and per address (an office shares one address, but only wrong
# codes count): about 887 million codes exist, so these stop guessing without slowing anyone.
# A second post of the same add-task form within this many seconds adds nothing (a double tap).
TASK_SUBMIT_WINDOW = env_int("TASK_SUBMIT_WINDOW", 120, minimum=1)
JOIN_GUESS_RATE_LIMIT = env_str("JOIN_GUESS_RATE_LIMIT", "10/10m")
# Join submissions (quick joins are counted per address): a room of 300 behind one address.
JOIN_RATE_LIMIT = env_str("JOIN_RATE_LIMIT", "400/10m")
JOIN_GUESS_RATE_LIMIT_PER_ADDRESS = env_str("JOIN_GUESS_RATE_LIMIT_PER_ADDRESS", "60/10m")
# When the cache (Redis) is down the limiter cannot count. Open: requests go through (the AI
# budget still holds: it lives in the database). Closed: every limited request gets a 429.
RATELIMIT_FAIL_OPEN = env_bool("RATELIMIT_FAIL_OPEN", True)
# Where the client's address comes from (workshop_site/client_ip.py), for our limits, allauth's
# and the audit log. CLIENT_IP_HEADER: a header our edge proxy overwrites with the address it
# saw (Railway: X-Real-IP). Or TRUSTED_PROXY_COUNT: proxies that append to X-Forwarded-For.
# Neither: REMOTE_ADDR. Entries a client writes itself are never trusted.
CLIENT_IP_HEADER = env_str("CLIENT_IP_HEADER")
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0, minimum=0)
if CLIENT_IP_HEADER and TRUSTED_PROXY_COUNT:
    raise ImproperlyConfigured("Set CLIENT_IP_HEADER or TRUSTED_PROXY_COUNT, not both")
RATELIMIT_IP_META_KEY = "workshop_site.client_ip.client_ip"
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT
ALLAUTH_TRUSTED_CLIENT_IP_HEADER = CLIENT_IP_HEADER or None

# --- Accounts --------------------------------------------------------------------------------

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
ACCOUNT_LOGOUT_REDIRECT_URL = "/"

# Participants sign in with a code sent by e-mail; there are no participant passwords.
# Operators use the Django admin with a password (ModelBackend).
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
ACCOUNT_FORMS = {"request_login_code": "accounts.forms.RequestLoginCodeForm"}
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*"]
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
ACCOUNT_LOGIN_BY_CODE_TIMEOUT = env_int("LOGIN_CODE_TIMEOUT", 600, minimum=60)
ACCOUNT_LOGIN_BY_CODE_MAX_ATTEMPTS = 5
ACCOUNT_LOGIN_BY_CODE_SUPPORTS_RESEND = True
# A whole class signs in within minutes, often from one company NAT address: the per-IP limits
# are sized for a room of 50+ people; the per-address limits still stop guessing and mail floods.
ACCOUNT_RATE_LIMITS = {
    "request_login_code": "300/m/ip,3/m/key",
    "login_failed": "300/m/ip,5/5m/key",
}
ACCOUNT_SESSION_REMEMBER = True
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[워크샵] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = env_str("ACCOUNT_DEFAULT_HTTP_PROTOCOL", "http")

# Company single sign-on (OpenID Connect), beside e-mail codes, switched on by OIDC_ISSUER.
# Someone who signs in through it lands in the account that has their (verified) e-mail.
OIDC_ISSUER = env_url("OIDC_ISSUER", schemes=("https", "http"))
SOCIALACCOUNT_ADAPTER = "accounts.adapter.SocialAccountAdapter"
SOCIALACCOUNT_EMAIL_AUTHENTICATION = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = True
SOCIALACCOUNT_LOGIN_ON_GET = False
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_PROVIDERS = {
    "openid_connect": {
        "OAUTH_PKCE_ENABLED": True,
        "APPS": (
            [
                {
                    "provider_id": "company",
                    "name": env_str("OIDC_BUTTON_LABEL", "회사 계정으로 로그인"),
                    "client_id": env_str("OIDC_CLIENT_ID"),
                    "secret": env_str("OIDC_CLIENT_SECRET"),
                    "settings": {"server_url": OIDC_ISSUER},
                }
            ]
            if OIDC_ISSUER
            else []
        ),
    }
}
if OIDC_ISSUER and not (env_str("OIDC_CLIENT_ID") and env_str("OIDC_CLIENT_SECRET")):
    raise ImproperlyConfigured("OIDC_ISSUER needs OIDC_CLIENT_ID and OIDC_CLIENT_SECRET too")

# --- E-mail ----------------------------------------------------------------------------------

# Sign-in codes go out through an HTTPS mail API (django-anymail) when EMAIL_API is set: PaaS
# plans that block SMTP (Railway's Free, Trial and Hobby) still send. Otherwise EMAIL_BACKEND
# (SMTP with the EMAIL_HOST settings, or the console on a laptop).
EMAIL_API = env_str("EMAIL_API")
# The provider's key setting and API address setting in django-anymail, per provider.
EMAIL_APIS = {
    "postmark": ("POSTMARK_SERVER_TOKEN", "POSTMARK_API_URL"),
    "sendgrid": ("SENDGRID_API_KEY", "SENDGRID_API_URL"),
    "mailgun": ("MAILGUN_API_KEY", "MAILGUN_API_URL"),
    "resend": ("RESEND_API_KEY", "RESEND_API_URL"),
    "brevo": ("BREVO_API_KEY", "BREVO_API_URL"),
}
# A sign-in request waits for the mail to be handed over, holding one of WEB_THREADS: at most
# this many seconds, then the person is told to ask for the code again (accounts/adapter.py).
EMAIL_TIMEOUT = env_float("EMAIL_TIMEOUT", 5, minimum=1)
if EMAIL_API:
    if EMAIL_API not in EMAIL_APIS:
        raise ImproperlyConfigured(
            f"EMAIL_API must be one of {', '.join(sorted(EMAIL_APIS))}, got {EMAIL_API!r}"
        )
    if not env_str("EMAIL_API_KEY"):
        raise ImproperlyConfigured("EMAIL_API needs EMAIL_API_KEY too")
    EMAIL_BACKEND = f"anymail.backends.{EMAIL_API}.EmailBackend"
    _key_setting, _url_setting = EMAIL_APIS[EMAIL_API]
    ANYMAIL = {_key_setting: env_str("EMAIL_API_KEY"), "REQUESTS_TIMEOUT": EMAIL_TIMEOUT}
    if env_url("EMAIL_API_URL", schemes=("https", "http")):
        ANYMAIL[_url_setting] = env_url("EMAIL_API_URL", schemes=("https", "http"))
else:
    EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
# For the filebased backend (the browser tests read sign-in codes from it).
EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH", str(BASE_DIR / "var" / "mail"))
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "workshop@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
ADMINS = [("운영자", email) for email in env_list("ADMIN_EMAILS")]

# --- Internationalisation --------------------------------------------------------------------

# The product is Korean only: every page is written in Korean, so Django's and allauth's own
# messages must be too, whatever language the browser asks for (no LocaleMiddleware).
LANGUAGE_CODE = "ko"
LANGUAGES = [("ko", "한국어")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "Asia/Seoul")
USE_I18N = True
USE_TZ = True

# --- Static files ----------------------------------------------------------------------------

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Serve files straight from the app directories (no collectstatic) on a developer's machine
# and in the test servers; production serves the collected, hashed files.
WHITENOISE_USE_FINDERS = env_bool("WHITENOISE_USE_FINDERS", DEBUG)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or not env_bool("STATIC_MANIFEST", True)
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# --- Security --------------------------------------------------------------------------------

SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("TRUST_X_FORWARDED_PROTO", False) else None
)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
# Health paths answer over plain HTTP too: platforms and uptime monitors probe them that way.
SECURE_REDIRECT_EXEMPT = [r"^health/(deploy/|ready/)?$"]
# Hosts the platform's health probe uses; answered on /health/ and /health/deploy/ only.
HEALTHCHECK_HOSTS = [
    host.lower() for host in env_list("HEALTHCHECK_HOSTS", ["healthcheck.railway.app"])
]
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_HTTPONLY = True
# Sessions live in the database, read through the cache (one Redis read instead of a query per
# request). With Redis down the cache misses and the database answers: no one is signed out.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
CSRF_COOKIE_HTTPONLY = True  # pages carry the token; no script reads the cookie
# Signed out after this long without a request, and after this long whatever happens.
SESSION_IDLE_SECONDS = env_int("SESSION_IDLE_SECONDS", 8 * 60 * 60, minimum=300)
SESSION_MAX_SECONDS = env_int("SESSION_MAX_SECONDS", 14 * 24 * 60 * 60, minimum=600)
SESSION_COOKIE_AGE = SESSION_MAX_SECONDS
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
PERMISSIONS_POLICY = (
    "camera=(), microphone=(), geolocation=(), payment=(), usb=(), "
    "interest-cohort=(), clipboard-write=(self)"
)

# Content Security Policy (django-csp): scripts only from us and only with this response's
# nonce; no plugins, no <base>, no framing. Inline style attributes stay allowed (charts set
# colours and widths with them); inline <script> never is.
# Signing in through company SSO posts to us and is redirected on to the identity provider.
CSP_FORM_ACTIONS = [SELF] + (["/".join(OIDC_ISSUER.split("/", 3)[:3])] if OIDC_ISSUER else [])
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, "'unsafe-inline'"],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "form-action": CSP_FORM_ACTIONS,
    }
}

# Form posts carry at most a few kilobytes; anything far larger is refused with a 400.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 1024 * 1024, minimum=1024)
DATA_UPLOAD_MAX_NUMBER_FIELDS = 200

# Uploaded task lists (CSV/XLSX) larger than this are refused with a Korean message.
IMPORT_MAX_BYTES = env_int("IMPORT_MAX_BYTES", 512 * 1024, minimum=1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = IMPORT_MAX_BYTES + 1024

# --- Workshop rules --------------------------------------------------------------------------

INVITATION_DAYS = env_int("INVITATION_DAYS", 7, minimum=1)
# How long the follow-up mail's link to a team's plans works (workshops.follow_up).
FOLLOW_UP_LINK_DAYS = env_int("FOLLOW_UP_LINK_DAYS", 30, minimum=1)

# --- Personal data (개인정보) ------------------------------------------------------------------

# What the privacy page (/privacy/) and the consent notice at joining say (accounts.privacy).
PRIVACY_OPERATOR_NAME = env_str("PRIVACY_OPERATOR_NAME", "워크샵 운영자")
PRIVACY_CONTACT_EMAIL = env_str("PRIVACY_CONTACT_EMAIL") or (
    ADMINS[0][1] if ADMINS else DEFAULT_FROM_EMAIL
)
# A closed workshop's teams, participants and tasks are deleted this many days after it closed
# (the worker's daily chore, ai.retention); idle accounts in no workshop go too.
PRIVACY_RETENTION_DAYS = env_int("PRIVACY_RETENTION_DAYS", 180, minimum=1)
# Access records must be kept at least a year (개인정보의 안전성 확보조치 기준 제8조).
AUDIT_RETENTION_DAYS = env_int("AUDIT_RETENTION_DAYS", 365, minimum=365)
# How long the database backups the operator turned on in Railway keep their copies; the
# privacy page states it. The notice promises at most 30 days, so a longer value is refused.
BACKUP_RETENTION_DAYS = env_int("BACKUP_RETENTION_DAYS", 30, minimum=0)
if BACKUP_RETENTION_DAYS > 30:
    raise ImproperlyConfigured(
        f"BACKUP_RETENTION_DAYS must be at most 30, got {BACKUP_RETENTION_DAYS}; "
        "shorten the backup retention in Railway first"
    )
HOSTING_REGION_LABEL = env_str("HOSTING_REGION_LABEL", "Railway 싱가포르 리전 (asia-southeast1)")

# --- Logging and errors -----------------------------------------------------------------------

LOG_LEVEL = env_str("LOG_LEVEL", "INFO").upper()
if LOG_LEVEL not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
    raise ImproperlyConfigured(f"LOG_LEVEL must be a logging level name, got {LOG_LEVEL!r}")
# Production logs go to stdout as JSON (Railway parses JSON lines and reads stderr as errors);
# a developer's terminal gets plain lines.
LOG_FORMAT = env_str("LOG_FORMAT", "plain" if DEBUG else "json")
if LOG_FORMAT not in {"plain", "json"}:
    raise ImproperlyConfigured(f"LOG_FORMAT must be plain or json, got {LOG_FORMAT!r}")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s [%(request_id)s] %(name)s %(message)s"},
        "json": {"()": "workshop_site.observability.JsonFormatter"},
    },
    "filters": {
        "request_id": {"()": "workshop_site.observability.RequestIdFilter"},
        "capacity": {"()": "workshops.live.metrics.ChannelsRedisCapacityFilter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": LOG_FORMAT,
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # The HTTP client under the Anthropic SDK logs every request at INFO.
        "httpx2": {"level": "WARNING"},
        # channels-redis reports messages dropped for full channels at INFO; the filter counts
        # them and they must reach the log whatever LOG_LEVEL says.
        "channels_redis.core": {"level": "INFO", "filters": ["capacity"]},
    },
}

SENTRY_DSN = env_str("SENTRY_DSN")
if SENTRY_DSN:
    from workshop_site.observability import init_sentry  # only when Sentry is on

    init_sentry(
        dsn=SENTRY_DSN,
        environment=env_str("SENTRY_ENVIRONMENT", "production"),
        release=env_str("SENTRY_RELEASE") or env_str("RAILWAY_GIT_COMMIT_SHA"),
        traces_sample_rate=env_float("SENTRY_TRACES_SAMPLE_RATE", 0.0, minimum=0),
    )

# --- Operations --------------------------------------------------------------------------------

# /health/ready/ fails when no worker has reported for this many seconds.
WORKER_HEARTBEAT_MAX_AGE = env_int("WORKER_HEARTBEAT_MAX_AGE", 120, minimum=10)
# Live sockets across all web processes above this number: a warning and one Slack alert.
LIVE_CONNECTION_ALERT = env_int("LIVE_CONNECTION_ALERT", 100, minimum=1)
