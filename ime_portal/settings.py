"""Settings come only from environment variables (see the README's configuration table).

With nothing set, the portal runs in the *embedded default*: SQLite and uploads under ``var/``,
Celery tasks in-process, emails written as files under ``var/mail/``. Setting DATABASE_URL,
CELERY_BROKER_URL, AWS_STORAGE_BUCKET_NAME and EMAIL_URL switches to the production stack.
"""

import os
import secrets
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(environ.Env().str("IME_VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)
(VAR_DIR / "static").mkdir(exist_ok=True)

env = environ.Env()


def _embedded_secret_key() -> str:
    """A per-checkout key kept under var/, so the embedded default's sessions survive restarts.

    Written to a temporary file and linked into place, so that processes starting together all end up
    reading the one key that won, never a half-written file.
    """
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        candidate = VAR_DIR / f"secret_key.{os.getpid()}.tmp"
        candidate.write_text(secrets.token_urlsafe(50))
        candidate.chmod(0o600)
        try:
            os.link(candidate, key_file)
        except FileExistsError:
            pass
        finally:
            candidate.unlink()
    return key_file.read_text().strip()


# --- Environment: demo or production ---------------------------------------------------------
# One explicit switch instead of guesses from DATABASE_URL. "demo" (the default when nothing is
# configured) loads demo users with a published password and leaves staff 2FA and HTTPS off, so that
# `make run` works on http://localhost with no phone. "production" refuses demo data and turns 2FA and
# HTTPS on. A database server without a stated environment is refused rather than guessed at.
_USING_DATABASE_SERVER = bool(env.str("DATABASE_URL", default=""))
IME_ENVIRONMENT = env.str("IME_ENVIRONMENT", default="")
if not IME_ENVIRONMENT and _USING_DATABASE_SERVER:
    raise ImproperlyConfigured(
        "DATABASE_URL is set but IME_ENVIRONMENT is not. Set IME_ENVIRONMENT=production for the live portal, "
        "or IME_ENVIRONMENT=demo for a demonstration with published demo logins."
    )
IME_ENVIRONMENT = IME_ENVIRONMENT or "demo"
if IME_ENVIRONMENT not in ("demo", "production"):
    raise ImproperlyConfigured(f"IME_ENVIRONMENT must be 'demo' or 'production', not {IME_ENVIRONMENT!r}.")
PRODUCTION = IME_ENVIRONMENT == "production"


def _refuse_in_production(setting: str, why: str) -> None:
    if PRODUCTION:
        raise ImproperlyConfigured(f"{setting} is refused when IME_ENVIRONMENT=production: {why}")


DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if PRODUCTION or _USING_DATABASE_SERVER:
        # A generated key would differ between replicas (and between workers racing to write it):
        # sessions, password-reset links and signed cookies would break at random.
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. With a database server or in production every process must share one "
            "key: set SECRET_KEY to a long random value (python -c 'import secrets; "
            "print(secrets.token_urlsafe(50))')."
        )
    SECRET_KEY = _embedded_secret_key()
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("SITE_URL", default="http://localhost:8000").rstrip("/")

INSTALLED_APPS = [
    "reviews.apps.StaffAdminConfig",  # django.contrib.admin, with the staff dashboard as its home
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "simple_history",
    "csp",
    "allauth",
    "allauth.account",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    # The project's apps, lowest layer first (README: "Layers"); each imports only from those above it in this list.
    "outbox",
    "portal",
    "workflow",
    "grants",
    "reviews",
    "research",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # Before OTPMiddleware, so a session it signs out is anonymous to everything after it.
    "portal.two_factor.idle.StaffIdleTimeoutMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "portal.two_factor.middleware.StaffTwoFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, so it sees the authenticated user; locks out after repeated failed sign-ins.
    "axes.middleware.AxesMiddleware",
    "portal.middleware.UsHcpGateMiddleware",
]

ROOT_URLCONF = "ime_portal.urls"
WSGI_APPLICATION = "ime_portal.wsgi.application"
SITE_ID = 1

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
                "portal.context_processors.portal",
            ],
        },
    },
]

# --- Data -------------------------------------------------------------------------------------
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'ime_portal.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DB_CONN_MAX_AGE", default=60))
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE"}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {
    "default": env.cache_url("CACHE_URL", default=f"filecache://{VAR_DIR / 'cache'}"),
}

# --- Auth -------------------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "/requests/"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_USER_MODEL_USERNAME_FIELD = "username"
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Axsome IME Grants] "
ACCOUNT_ADAPTER = "grants.accounts.OutboxAccountAdapter"
ACCOUNT_USER_DISPLAY = "grants.accounts.user_display"
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_PRESERVE_USERNAME_CASING = False
# Login throttling: allauth's per-IP/per-account limits plus django-axes lockout after repeated failures.
ACCOUNT_RATE_LIMITS = {"login_failed": "10/m/ip,5/5m/key"}
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=10)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "login"
AXES_USERNAME_CALLABLE = "grants.accounts.axes_username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "account/lockout.html"
# Staff must also enter a code from an authenticator app before any admin page. Always on in production
# (turning it off there is refused, not obeyed); off by default in the demo so its published staff logins
# work without a phone.
IME_STAFF_2FA = env.bool("IME_STAFF_2FA", default=PRODUCTION)
if not IME_STAFF_2FA:
    _refuse_in_production("IME_STAFF_2FA=0", "staff pages hold applicants' confidential submissions.")
# A staff session unused this long is signed out on its next request.
IME_STAFF_IDLE_MINUTES = env.int("IME_STAFF_IDLE_MINUTES", default=30)
if IME_STAFF_IDLE_MINUTES < 1:
    raise ImproperlyConfigured("IME_STAFF_IDLE_MINUTES must be at least 1.")

# --- Client address -----------------------------------------------------------------------------
# How many reverse proxies in front of the portal append to X-Forwarded-For. 0: the portal is reached
# directly, so REMOTE_ADDR is the client and X-Forwarded-For (which anyone can send) is ignored. N: the
# client is the Nth address from the right of X-Forwarded-For. allauth's reading of the header is the
# one used everywhere: its login limits, django-axes lockouts and the inquiry rate limit.
IME_TRUSTED_PROXY_COUNT = env.int("IME_TRUSTED_PROXY_COUNT", default=0)
ALLAUTH_TRUSTED_PROXY_COUNT = IME_TRUSTED_PROXY_COUNT
AXES_CLIENT_IP_CALLABLE = "portal.client_ip.client_ip"
RATELIMIT_IP_META_KEY = "portal.client_ip.client_ip"

# --- Internationalisation ---------------------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = env.str("TIME_ZONE", default="America/New_York")
USE_I18N = True
USE_TZ = True
# One date style everywhere ("March 31, 2027"): ime_portal/formats/en/formats.py.
FORMAT_MODULE_PATH = ["ime_portal.formats"]

# --- Static and uploaded files ----------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
# Bootstrap's CSS is built from bootstrap-wrapper's copy (PyPI) by scripts/build_css.py, keeping only the
# rules the portal's templates use, into static/css/bootstrap.portal.min.css; nothing comes from a CDN.
STATICFILES_DIRS = [BASE_DIR / "static"]
# `make run`, the benchmark and the container run collectstatic with whitenoise's compressed manifest
# storage: every file gets a content-hashed name, a gzip and a brotli copy, and (hashed names only) a
# year's caching marked immutable. Without it (the tests, runserver) files are served from where they
# are, under their own names, cached 60 seconds.
MANIFEST_STATIC_STORAGE = "whitenoise.storage.CompressedManifestStaticFilesStorage"
STATICFILES_BACKEND = env.str("STATICFILES_BACKEND", default="django.contrib.staticfiles.storage.StaticFilesStorage")
WHITENOISE_USE_FINDERS = STATICFILES_BACKEND != MANIFEST_STATIC_STORAGE
# Files browsers and crawlers ask for at the site's root (/favicon.ico).
WHITENOISE_ROOT = BASE_DIR / "static" / "root"
ROOT_FILE_MAX_AGE = 86400


def _root_file_headers(headers, path, url):
    """/favicon.ico cannot have a hashed name (browsers ask for that very URL): a day instead of 60 s."""
    if not url.startswith(STATIC_URL):
        headers["Cache-Control"] = f"public, max-age={ROOT_FILE_MAX_AGE}"


WHITENOISE_ADD_HEADERS_FUNCTION = _root_file_headers
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "/media/"

AWS_STORAGE_BUCKET_NAME = env.str("AWS_STORAGE_BUCKET_NAME", default="")
if AWS_STORAGE_BUCKET_NAME:
    _default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "endpoint_url": env.str("AWS_S3_ENDPOINT_URL", default="") or None,
            "region_name": env.str("AWS_S3_REGION_NAME", default="us-east-1"),
            "default_acl": "private",
            "querystring_auth": True,
            "querystring_expire": env.int("AWS_QUERYSTRING_EXPIRE", default=300),
            "file_overwrite": False,
            "location": env.str("AWS_LOCATION", default="uploads"),
        },
    }
else:
    _default_storage = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": MEDIA_ROOT, "base_url": None},
    }
STORAGES = {
    "default": _default_storage,
    "staticfiles": {
        "BACKEND": STATICFILES_BACKEND
    },
}

# --- Email ------------------------------------------------------------------------------------
if env.str("EMAIL_URL", default=""):
    vars().update(env.email_url("EMAIL_URL"))
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = VAR_DIR / "mail"
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=20)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Axsome IME Grants <no-reply@ime.axsome.example>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Celery -----------------------------------------------------------------------------------
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
# Embedded default: no broker, so tasks run in the calling process as soon as they are sent.
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_BROKER_CONNECTION_TIMEOUT = env.float("CELERY_BROKER_CONNECTION_TIMEOUT", default=3.0)
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 3, "socket_timeout": 5}
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    "outbox-sweep": {
        "task": "outbox.tasks.sweep_outbox",
        "schedule": timedelta(seconds=env.int("OUTBOX_SWEEP_SECONDS", default=60)),
    },
    # Starts paid programs on their start date and opens reconciliation on their end date; hourly, so
    # a beat that was down at midnight catches up (the moves are idempotent).
    "advance-programs": {
        "task": "grants.tasks.advance_programs",
        "schedule": timedelta(seconds=env.int("IME_ADVANCE_PROGRAMS_SECONDS", default=3600)),
    },
    # Reminders (reviews/reminders.py): a daily job run hourly, so a beat that was down catches up; each
    # reminder is sent once whatever the number of runs (a unique key per object and occasion).
    "send-reminders": {
        "task": "reviews.tasks.send_reminders",
        "schedule": timedelta(seconds=env.int("IME_REMINDERS_SECONDS", default=3600)),
    },
    # From March 1, reminds compliance once a year to review last year's grants for Open Payments;
    # daily, so a beat that was down catches up (it sends once per year: outbox.SentOnce).
    "open-payments-reminder": {
        "task": "reviews.tasks.open_payments_reminder",
        "schedule": timedelta(hours=24),
    },
}
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")

# --- Outbox -----------------------------------------------------------------------------------
OUTBOX_MAX_ATTEMPTS = env.int("OUTBOX_MAX_ATTEMPTS", default=6)
OUTBOX_RETRY_BASE_SECONDS = env.int("OUTBOX_RETRY_BASE_SECONDS", default=30)
OUTBOX_REQUEUE_AFTER_SECONDS = env.int("OUTBOX_REQUEUE_AFTER_SECONDS", default=60)
OUTBOX_STUCK_AFTER_SECONDS = env.int("OUTBOX_STUCK_AFTER_SECONDS", default=900)

# --- Programme rules --------------------------------------------------------------------------
IME_INQUIRY_MAILBOX = env.str("IME_INQUIRY_MAILBOX", default="medicaleducation@axsome.com")
IME_STAFF_MAILBOX = env.str("IME_STAFF_MAILBOX", default="medicaleducation@axsome.com")
# Where the yearly Open Payments review reminder goes (before the March 31 filing deadline).
IME_COMPLIANCE_MAILBOX = env.str("IME_COMPLIANCE_MAILBOX", default=IME_STAFF_MAILBOX)
IME_MIN_LEAD_DAYS = env.int("IME_MIN_LEAD_DAYS", default=60)
IME_RECONCILIATION_DAYS = env.int("IME_RECONCILIATION_DAYS", default=60)
# A reconciliation refund below this many dollars is waived (SPEC §4a).
IME_REFUND_THRESHOLD = Decimal(env.str("IME_REFUND_THRESHOLD", default="250"))
# A review assignment with no review after this many days is past due on the staff dashboard.
IME_REVIEW_DUE_DAYS = env.int("IME_REVIEW_DUE_DAYS", default=10)
# Reminders, each sent once (days count in TIME_ZONE): an agreement unsigned this long after issue; a
# review not submitted this long after assignment (by default when the dashboard shows it past due);
# an information request unanswered this long; a reconciliation due within this many days, then due
# today, then overdue every OVERDUE_EVERY_DAYS, OVERDUE_TIMES times (staff copied on the last).
IME_REMINDER_AGREEMENT_DAYS = env.int("IME_REMINDER_AGREEMENT_DAYS", default=14)
IME_REMINDER_REVIEW_DAYS = env.int("IME_REMINDER_REVIEW_DAYS", default=IME_REVIEW_DUE_DAYS)
IME_REMINDER_INFORMATION_DAYS = env.int("IME_REMINDER_INFORMATION_DAYS", default=14)
IME_REMINDER_RECONCILIATION_DAYS = env.int("IME_REMINDER_RECONCILIATION_DAYS", default=14)
IME_REMINDER_OVERDUE_EVERY_DAYS = env.int("IME_REMINDER_OVERDUE_EVERY_DAYS", default=7)
IME_REMINDER_OVERDUE_TIMES = env.int("IME_REMINDER_OVERDUE_TIMES", default=4)
for _name in ("IME_REMINDER_AGREEMENT_DAYS", "IME_REMINDER_REVIEW_DAYS", "IME_REMINDER_INFORMATION_DAYS",
              "IME_REMINDER_RECONCILIATION_DAYS", "IME_REMINDER_OVERDUE_EVERY_DAYS"):  # fmt: skip
    if globals()[_name] < 1:
        raise ImproperlyConfigured(f"{_name} must be at least 1.")
IME_INVITATION_DAYS = env.int("IME_INVITATION_DAYS", default=7)
# Payments need the organization's W-9 signed within this many days (SPEC §4a).
IME_W9_MAX_AGE_DAYS = env.int("IME_W9_MAX_AGE_DAYS", default=365)
# A budget reallocation moving more than this share of the budget amends the Letter of Agreement.
IME_REALLOCATION_LIMIT_PCT = env.int("IME_REALLOCATION_LIMIT_PCT", default=25)
IME_MAX_UPLOAD_MB = env.int("IME_MAX_UPLOAD_MB", default=20)
# Research proposals (SPEC §4b): days an invited investigator has for the full proposal (staff may change
# it per proposal), the highest overhead (indirect costs) a budget may carry, and where safety events go.
IIS_FULL_PROPOSAL_DAYS = env.int("IIS_FULL_PROPOSAL_DAYS", default=60)
IIS_MAX_OVERHEAD_PCT = env.int("IIS_MAX_OVERHEAD_PCT", default=28)
# The investigator is reminded once when the full proposal's deadline is this many days away or fewer.
IIS_REMINDER_FULL_PROPOSAL_DAYS = env.int("IIS_REMINDER_FULL_PROPOSAL_DAYS", default=14)
IIS_SAFETY_REPORTING_CONTACT = env.str(
    "IIS_SAFETY_REPORTING_CONTACT",
    default="Axsome pharmacovigilance (placeholder: set IIS_SAFETY_REPORTING_CONTACT to the real contact)",
)
# Budget categories grant support may not pay for (SPEC §4); values of grants.choices.BudgetCategory.
IME_EXCLUDED_BUDGET_CATEGORIES = env.list(
    "IME_EXCLUDED_BUDGET_CATEGORIES",
    default=[
        "attendee_travel", "attendee_registration", "salaries", "equipment",
        "capital", "operating", "entertainment", "gifts",
    ],
)  # fmt: skip
IME_INQUIRY_RATE = env.str("IME_INQUIRY_RATE", default="5/h")
IME_HCP_GATE_LEAVE_URL = env.str("IME_HCP_GATE_LEAVE_URL", default="https://www.axsome.com/")
# How long anonymous visitors are served a public content page from the cache (0 turns it off).
IME_PUBLIC_PAGE_CACHE_SECONDS = env.int("IME_PUBLIC_PAGE_CACHE_SECONDS", default=300)
# The public list of funded grants at /transparency/ (404 when off): on in the demo, off by default in production.
IME_TRANSPARENCY_REPORT = env.bool("IME_TRANSPARENCY_REPORT", default=not PRODUCTION)
# How long one filter's rows of the transparency page are reused from the cache (0: always fresh).
IME_TRANSPARENCY_CACHE_SECONDS = env.int("IME_TRANSPARENCY_CACHE_SECONDS", default=300)
# How long the staff dashboard's pipeline, money, budget and cycle-time figures are shared from the cache
# (the page shows "as of"); the work lists are always live; setting a budget refreshes them; 0: always fresh.
IME_DASHBOARD_CACHE_SECONDS = env.int("IME_DASHBOARD_CACHE_SECONDS", default=60)
# /bench/bare/ and /bench/reference/ for scripts/benchmark.py; never on in production.
IME_BENCHMARK_VIEWS = env.bool("IME_BENCHMARK_VIEWS", default=False)
if IME_BENCHMARK_VIEWS:
    _refuse_in_production("IME_BENCHMARK_VIEWS=1", "the benchmark pages are for measuring only.")
# Demo users with a published password: in the demo only.
IME_DEMO_DATA = env.bool("IME_DEMO_DATA", default=not PRODUCTION)
if IME_DEMO_DATA:
    _refuse_in_production("IME_DEMO_DATA=1", "demo users sign in with a password printed in the README.")

# --- Security ---------------------------------------------------------------------------------
# Transport security is on in production; the demo serves plain http://localhost, where secure-only
# cookies and an HTTPS redirect would lock the user out. HTTPS=0 in production is obeyed (a local trial
# of the compose stack has no TLS) but reported by every management command (portal.checks).
_https = env.bool("HTTPS", default=PRODUCTION)
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=_https)
# The container health check calls http://localhost:8000/healthz from inside the container.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if _https else "http"
SESSION_COOKIE_SECURE = _https
CSRF_COOKIE_SECURE = _https
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000 if _https else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = _https
SECURE_HSTS_PRELOAD = _https
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env.bool("BEHIND_PROXY", default=False) else None
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
# Sessions are read from the cache and written through to the database: a signed-in page costs no session
# query while the cache holds it, and nothing is lost when the cache is flushed. Nothing deletes session
# rows behind the session store's back (which would leave a cached copy valid).
SESSION_ENGINE = env.str("SESSION_ENGINE", default="django.contrib.sessions.backends.cached_db")
SESSION_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
FILE_UPLOAD_PERMISSIONS = 0o600
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Strict CSP: no inline script or style anywhere; everything is served by the app itself.
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
    }
}

# Staff TOTP secrets are never shown again in the admin once a device exists.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
