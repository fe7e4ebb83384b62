"""The rules are on under every settings module, `make run`'s (dev) included; only requiring a second
factor for staff differs: on in production, off in development so the demo logins need no phone."""

import json
import os
import subprocess
import sys

import pytest
from django.conf import settings

PRINT = (
    "import django, json; django.setup(); from django.conf import settings as s; "
    "print(json.dumps([s.AXES_ENABLED, s.AXES_FAILURE_LIMIT, s.AXES_COOLOFF_TIME.total_seconds(), "
    "s.CHAINPARTY_LOGIN_IP_FAILURE_LIMIT, s.CHAINPARTY_SESSION_IDLE_MINUTES, s.CHAINPARTY_SESSION_ABSOLUTE_HOURS, "
    "[v['NAME'].rsplit('.', 1)[-1] for v in s.AUTH_PASSWORD_VALIDATORS], s.AUTHENTICATION_BACKENDS[0], "
    "'chainparty.security.middleware.SessionSecurityMiddleware' in s.MIDDLEWARE, s.CHAINPARTY_REQUIRE_2FA]))"
)


def settings_of(module):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": module, "SECRET_KEY": "x" * 50, "ALLOWED_HOSTS": "portal.example"}
    env.pop("CHAINPARTY_REQUIRE_2FA", None)
    out = subprocess.run(
        [sys.executable, "-c", PRINT], env=env, capture_output=True, text=True, check=True, cwd=settings.BASE_DIR
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize(
    "module, require_2fa",
    [
        ("chainparty.settings.dev", False),
        ("chainparty.settings.test", False),
        ("chainparty.settings.production", True),
    ],
)
def test_every_rule_is_on_under_every_settings_module(module, require_2fa):
    values = settings_of(module)
    assert values[:6] == [True, 5, 1800.0, 30, 30, 12]
    assert {
        "UserAttributeSimilarityValidator",
        "MinimumLengthValidator",
        "CharacterClassesValidator",
        "PasswordHistoryValidator",
    } <= set(values[6])
    assert values[7] == "axes.backends.AxesStandaloneBackend" and values[8] is True
    assert values[9] is require_2fa
