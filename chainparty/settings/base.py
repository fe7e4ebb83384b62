"""Settings shared by every environment. Everything that differs comes from the environment."""

import os
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONCE, NONE, SELF
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("CHAINPARTY_VAR_DIR", BASE_DIR / "var"))


def env(name, default=None):
    return os.environ.get(name, default)


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


SECRET_KEY = env("SECRET_KEY", "dev-only-chainparty-key-not-for-production-0123456789")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

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
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "guardian",
    "django_htmx",
    "chainparty",
    "chainparty.imports",
    "alliances",
    "demands",
    "guides",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "chainparty.middleware.HtmxLoginRedirectMiddleware",
    "chainparty.middleware.AuditRequestMiddleware",
]

# How many reverse proxies in front of gunicorn append to X-Forwarded-For. 0: the audit log records
# REMOTE_ADDR and ignores the header (a client can write anything there). Behind the one
# TLS-terminating proxy docker-compose.yml asks for, set 1.
AUDIT_TRUSTED_PROXY_COUNT = int(env("AUDIT_TRUSTED_PROXY_COUNT", "0"))

# -- headers and CSP (issue 10 §2.6) --
# django-csp (Mozilla's, 4.x: Django 5.2 and nonces) writes the Content-Security-Policy header.
# No inline script, no inline event handlers, no eval, no inline style: page code lives in
# static/js/, data reaches it through json_script, styles through static/css/ (the rule for
# templates: README "Security"). htmx runs with allowEval=false and without its
# injected indicator <style> (templates/base.html's htmx-config). A nonce is offered to the rare
# template that cannot avoid an inline <script nonce="{{ request.csp_nonce }}">: the header carries
# one only on responses that used it.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
# Django's defaults, stated so the security page (/security/) shows what is in force.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CSRF_FAILURE_VIEW = "chainparty.error_views.csrf_failure"

ROOT_URLCONF = "chainparty.urls"
WSGI_APPLICATION = "chainparty.wsgi.application"

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
                "chainparty.context_processors.portal",
                "demands.context_processors.needs_nav",
            ],
        },
    },
]

VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": dj_database_url.parse(env("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'db.sqlite3'}", conn_max_age=60)
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The web process and the Celery worker share the file: wait for locks instead of failing.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
else:
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "chainparty.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
ANONYMOUS_USER_NAME = None
GUARDIAN_RAISE_403 = False
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文"))]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "locale"]

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT.mkdir(exist_ok=True)  # whitenoise expects it; collectstatic fills it in production
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
DATA_UPLOAD_MAX_MEMORY_SIZE = 25 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

REDIS_URL = env("REDIS_URL")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Sessions read from the cache (Redis in production) and fall back to the database.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

# E-mail: console in development; SMTP when EMAIL_HOST is set.
EMAIL_HOST = env("EMAIL_HOST", "")
EMAIL_PORT = int(env("EMAIL_PORT", "25"))
EMAIL_HOST_USER = env("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = 20
EMAIL_BACKEND = env(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend" if EMAIL_HOST else "django.core.mail.backends.console.EmailBackend",
)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "ChainParty <noreply@chainparty.local>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Celery: Redis when REDIS_URL is set, otherwise kombu's filesystem transport under var/,
# so a laptop runs the real worker and beat with no broker installed.
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
else:
    _broker_dir = VAR_DIR / "celery-broker"
    for _sub in ("out", "processed", "control"):
        (_broker_dir / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "out"),
        "data_folder_out": str(_broker_dir / "out"),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
    CELERY_WORKER_ENABLE_REMOTE_CONTROL = False
CELERY_TASK_IGNORE_RESULT = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# A static schedule of sweeps: what is due lives in the database, never in broker ETAs.
CELERY_BEAT_SCHEDULE = {
    "heartbeat": {"task": "chainparty.tasks.heartbeat", "schedule": 60.0},
    "escalation-sweep": {"task": "demands.tasks.sweep_deadlines", "schedule": crontab(minute="*/5")},
    "notification-delivery": {"task": "chainparty.tasks.deliver_pending_notifications", "schedule": 120.0},
    "due-items": {"task": "chainparty.tasks.sweep_due_items", "schedule": 60.0},
    "resource-expiry": {"task": "demands.tasks.expire_resources", "schedule": crontab(hour=0, minute=15)},
    "missing-holidays": {"task": "chainparty.tasks.warn_missing_holidays", "schedule": crontab(hour=8, minute=30)},
    "export-jobs": {"task": "chainparty.tasks.sweep_export_jobs", "schedule": crontab(minute="*/5")},
    "monthly-minutes": {"task": "alliances.tasks.export_monthly_minutes", "schedule": crontab(hour=6, minute=30)},
    "meeting-occurrences": {
        "task": "alliances.tasks.generate_meeting_occurrences",
        "schedule": crontab(hour=1, minute=20),
    },
    # Daily; the guides' reminders are made on their days (guides/reminders.py), sent at 09:00.
    "guide-visit-reminders": {"task": "guides.tasks.remind_unvisited", "schedule": crontab(hour=8, minute=30)},
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        # Personal tokens, stored hashed (chainparty.accounts.tokens); DRF's authtoken kept them in clear.
        "chainparty.accounts.authentication.ApiTokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "chainparty.api.StandardPagination",
    "PAGE_SIZE": 25,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "chainparty.api.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "ChainParty API",
    "DESCRIPTION": "产业链党建联盟工作平台接口",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Several models have fields named `category` and `state`; give each enum its own name.
    "ENUM_NAME_OVERRIDES": {
        "ResourceCategoryEnum": "demands.models.resources.Resource.Category",
        "ResourceStatusEnum": "demands.models.resources.Resource.Status",
        "PolicyCategoryEnum": "demands.models.policies.Policy.Category",
        "PolicyStateEnum": "demands.models.policies.Policy.State",
        "NeedCategoryEnum": "demands.models.needs.Need.Category",
        "NeedStateEnum": "demands.models.needs.Need.State",
        "AssignmentStateEnum": "demands.models.needs.Assignment.State",
    },
}

# Notification channels: dotted paths to classes implementing chainparty.notifications.Channel.
NOTIFICATION_CHANNELS = env_list(
    "NOTIFICATION_CHANNELS",
    "chainparty.notifications.InAppChannel,chainparty.notifications.EmailChannel",
)
# SMS (Aliyun) and WeCom (chainparty.channels): each joins the channels when its settings are set
# (an operator who wants neither leaves them unset). See README "SMS and WeCom".
ALIYUN_SMS_ACCESS_KEY_ID = env("ALIYUN_SMS_ACCESS_KEY_ID", "")
ALIYUN_SMS_ACCESS_KEY_SECRET = env("ALIYUN_SMS_ACCESS_KEY_SECRET", "")
ALIYUN_SMS_SIGN_NAME = env("ALIYUN_SMS_SIGN_NAME", "")
ALIYUN_SMS_TEMPLATE_CODE = env("ALIYUN_SMS_TEMPLATE_CODE", "")
ALIYUN_SMS_NOTICE_TEMPLATE_CODE = env("ALIYUN_SMS_NOTICE_TEMPLATE_CODE", "")
ALIYUN_SMS_ENDPOINT = env("ALIYUN_SMS_ENDPOINT", "https://dysmsapi.aliyuncs.com")
ALIYUN_SMS_REGION = env("ALIYUN_SMS_REGION", "cn-hangzhou")
WECOM_CORP_ID = env("WECOM_CORP_ID", "")
WECOM_AGENT_ID = env("WECOM_AGENT_ID", "")
WECOM_SECRET = env("WECOM_SECRET", "")
WECOM_API_BASE = env("WECOM_API_BASE", "https://qyapi.weixin.qq.com")
CHAINPARTY_CHANNEL_HTTP_TIMEOUT = float(env("CHAINPARTY_CHANNEL_HTTP_TIMEOUT", "10"))
for _channel, _configured in (
    (
        "chainparty.channels.sms.AliyunSmsChannel",
        ALIYUN_SMS_ACCESS_KEY_ID and ALIYUN_SMS_ACCESS_KEY_SECRET and ALIYUN_SMS_SIGN_NAME and ALIYUN_SMS_TEMPLATE_CODE,
    ),
    ("chainparty.channels.wecom.WeComChannel", WECOM_CORP_ID and WECOM_AGENT_ID and WECOM_SECRET),
):
    if _configured and _channel not in NOTIFICATION_CHANNELS:
        NOTIFICATION_CHANNELS.append(_channel)
# Where links in e-mails point. `manage.py runportal` (make run) sets it to the address it serves
# when the environment does not; production sets the public address.
PORTAL_BASE_URL = env("PORTAL_BASE_URL", "http://127.0.0.1:8000")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

# -- login security (issue 10 §2.1-2.4) --
# Every rule here is on under every settings module (dev, test, production); only requiring a
# second factor for staff is off outside production (CHAINPARTY_REQUIRE_2FA), so `make run`'s demo
# logins work with the demo password alone.
from datetime import timedelta  # noqa: E402

INSTALLED_APPS += [
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "chainparty.security",
]
# AxesStandaloneBackend refuses locked-out logins before ModelBackend checks the password.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", *AUTHENTICATION_BACKENDS]
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1,
    "django_otp.middleware.OTPMiddleware",
)
MIDDLEWARE.insert(
    MIDDLEWARE.index("django_otp.middleware.OTPMiddleware") + 1,
    "chainparty.security.middleware.SessionSecurityMiddleware",
)
MIDDLEWARE.append("axes.middleware.AxesMiddleware")

# §2.1 passwords: 8+ characters from 3 of 4 classes, not like the login or the name, not one of
# the last 5; expiry in days (0: passwords do not expire).
CHAINPARTY_PASSWORD_MIN_LENGTH = int(env("CHAINPARTY_PASSWORD_MIN_LENGTH", "8"))
CHAINPARTY_PASSWORD_MIN_CLASSES = int(env("CHAINPARTY_PASSWORD_MIN_CLASSES", "3"))
CHAINPARTY_PASSWORD_HISTORY = int(env("CHAINPARTY_PASSWORD_HISTORY", "5"))
CHAINPARTY_PASSWORD_MAX_AGE_DAYS = int(env("CHAINPARTY_PASSWORD_MAX_AGE_DAYS", "0"))
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ("username", "real_name", "first_name", "last_name", "email")},
    },
    {
        "NAME": "chainparty.security.validators.MinimumLengthValidator",
        "OPTIONS": {"min_length": CHAINPARTY_PASSWORD_MIN_LENGTH},
    },
    {
        "NAME": "chainparty.security.validators.CharacterClassesValidator",
        "OPTIONS": {"min_classes": CHAINPARTY_PASSWORD_MIN_CLASSES},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {
        "NAME": "chainparty.security.validators.PasswordHistoryValidator",
        "OPTIONS": {"count": CHAINPARTY_PASSWORD_HISTORY},
    },
]

# §2.2 failed logins (django-axes, database handler): 5 failures lock the account for 30 minutes,
# counted per login name whether or not it exists; an address failing across accounts is throttled
# at a higher count (chainparty.security.lockout.LoginLockoutHandler). Failures count together while
# each follows the last within the cool-off, so five within 15 minutes always lock.
AXES_ENABLED = True
AXES_HANDLER = "chainparty.security.lockout.LoginLockoutHandler"
AXES_FAILURE_LIMIT = int(env("AXES_FAILURE_LIMIT", "5"))
CHAINPARTY_LOGIN_IP_FAILURE_LIMIT = int(env("CHAINPARTY_LOGIN_IP_FAILURE_LIMIT", "30"))
AXES_COOLOFF_TIME = timedelta(minutes=int(env("AXES_COOLOFF_MINUTES", "30")))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False  # a lock lasts 30 minutes from its start
AXES_LOCKOUT_CALLABLE = "chainparty.security.lockout.lockout_response"
AXES_CLIENT_IP_CALLABLE = "chainparty.security.lockout.client_ip"  # the audit log's rule for proxies
AXES_USERNAME_CALLABLE = "chainparty.security.lockout.client_username"
AXES_VERBOSE = False

# §2.3 sessions: signed out after 30 idle minutes and 12 hours after signing in, whatever happens.
CHAINPARTY_SESSION_IDLE_MINUTES = int(env("CHAINPARTY_SESSION_IDLE_MINUTES", "30"))
CHAINPARTY_SESSION_ABSOLUTE_HOURS = int(env("CHAINPARTY_SESSION_ABSOLUTE_HOURS", "12"))
SESSION_COOKIE_AGE = CHAINPARTY_SESSION_ABSOLUTE_HOURS * 3600

# §2.4 second factor (django-otp): TOTP with recovery codes, or a code through an outside
# notification channel. Required for platform administrators and organisation staff when on.
CHAINPARTY_REQUIRE_2FA = env_bool("CHAINPARTY_REQUIRE_2FA", False)
CHAINPARTY_CHANNEL_CODE_SECONDS = 300
OTP_TOTP_ISSUER = "ChainParty"
# -- end login security --

# -- accounts (issue 10 §1) --
# Personal API tokens expire after this many days unless their owner picks fewer (at most 365).
CHAINPARTY_API_TOKEN_DAYS = int(env("CHAINPARTY_API_TOKEN_DAYS", "90"))
# The one-time link staff hand a new or locked-out person works for 3 days (Django's setting).
PASSWORD_RESET_TIMEOUT = int(env("PASSWORD_RESET_TIMEOUT_SECONDS", str(3 * 24 * 3600)))
# -- end accounts --

# -- audit retention and backups (issue 10 §2.5, §2.10) --
# The audit log is kept CHAINPARTY_AUDIT_RETENTION_DAYS days, then pruned nightly by a beat task
# (chainparty.tasks.prune_audit_log, the one path that deletes audit records). The Cybersecurity
# Law (网络安全法 §21) asks for at least six months: a shorter period refuses to start.
# Six calendar months are at most 184 days (July to December), so 184 is the floor: 180 could prune
# a record younger than six months.
CHAINPARTY_AUDIT_RETENTION_MIN_DAYS = 184
CHAINPARTY_AUDIT_RETENTION_DAYS = int(env("CHAINPARTY_AUDIT_RETENTION_DAYS", "184"))
if CHAINPARTY_AUDIT_RETENTION_DAYS < CHAINPARTY_AUDIT_RETENTION_MIN_DAYS:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(
        f"CHAINPARTY_AUDIT_RETENTION_DAYS={CHAINPARTY_AUDIT_RETENTION_DAYS}: the audit log must be kept at least "
        f"{CHAINPARTY_AUDIT_RETENTION_MIN_DAYS} days (网络安全法: 不少于六个月)."
    )
CELERY_BEAT_SCHEDULE["audit-retention"] = {
    "task": "chainparty.tasks.prune_audit_log",
    "schedule": crontab(hour=3, minute=10),
}
# Uploaded import workbooks (chainparty.imports) and their marked copies are deleted this many
# days after upload by a nightly beat task; the job, its counts and its report stay.
IMPORT_FILE_RETENTION_DAYS = int(env("IMPORT_FILE_RETENTION_DAYS", "30"))
CELERY_BEAT_SCHEDULE["import-file-retention"] = {
    "task": "chainparty.imports.tasks.prune_import_files",
    "schedule": crontab(hour=3, minute=25),
}
# PostgreSQL backups: docker-compose.yml's `backup` service runs scripts/backup.sh every day at
# BACKUP_TIME and keeps BACKUP_KEEP_DAYS days of dumps (README "Security"). The service reads the
# same variables from .env; they are read here too so /security/ shows what is in force.
BACKUP_TIME = env("BACKUP_TIME", "02:30")
BACKUP_KEEP_DAYS = int(env("BACKUP_KEEP_DAYS", "14"))
# -- end audit retention and backups --
