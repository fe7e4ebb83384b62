"""What an operator deploying ChainParty relies on: production settings that refuse to start
half-configured, a clean `check --deploy`, and a docker-compose.yml whose services start in the
right order, keep the broker's queue, run one beat and report the web as healthy when it is."""

import os
import re
import secrets
import shlex
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
APP_SERVICES = ("web", "worker", "beat")
HEALTHCHECK_URL = "http://127.0.0.1:8000/accounts/login/"

# Variables that would weaken or change production settings if they leaked in from the caller.
_CALLER_ONLY = {
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "DJANGO_SETTINGS_MODULE",
    "DEBUG",
    "SECURE_SSL_REDIRECT",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "SECURE_HSTS_SECONDS",
}


def production_env(tmp_path, **overrides):
    env = {key: value for key, value in os.environ.items() if key not in _CALLER_ONLY}
    env["CHAINPARTY_VAR_DIR"] = str(tmp_path / "var")
    env["DJANGO_SETTINGS_MODULE"] = "chainparty.settings.production"
    env.update(overrides)
    return env


def run_python(code, env):
    return subprocess.run(
        [sys.executable, "-c", code], cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=60
    )


SETUP_PRODUCTION = (
    "import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'chainparty.settings.production'; "
    "django.setup(); from django.conf import settings; print(settings.DEBUG, settings.ALLOWED_HOSTS)"
)


def test_production_settings_refuse_to_start_without_secret_key(tmp_path):
    result = run_python(SETUP_PRODUCTION, production_env(tmp_path, ALLOWED_HOSTS="portal.example.cn"))

    assert result.returncode != 0
    assert "ImproperlyConfigured: SECRET_KEY must be set in production." in result.stderr


def test_production_settings_refuse_to_start_without_allowed_hosts(tmp_path):
    result = run_python(SETUP_PRODUCTION, production_env(tmp_path, SECRET_KEY=secrets.token_urlsafe(48)))

    assert result.returncode != 0
    assert "ImproperlyConfigured: ALLOWED_HOSTS must be set in production." in result.stderr


def test_production_settings_start_with_secret_key_and_allowed_hosts(tmp_path):
    env = production_env(tmp_path, SECRET_KEY=secrets.token_urlsafe(48), ALLOWED_HOSTS="portal.example.cn")

    result = run_python(SETUP_PRODUCTION, env)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False ['portal.example.cn']"


def test_deploy_check_passes_with_production_settings(tmp_path):
    env = production_env(tmp_path, SECRET_KEY=secrets.token_urlsafe(48), ALLOWED_HOSTS="portal.example.cn")

    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


# --- docker-compose.yml --------------------------------------------------------------------


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load((REPO_ROOT / "docker-compose.yml").read_text(encoding="utf-8"))


def command_words(service):
    command = service.get("command", [])
    return shlex.split(command) if isinstance(command, str) else [str(word) for word in command]


def runs_beat(service):
    words = command_words(service)
    if "celery" not in words:
        return False
    return "beat" in words or "-B" in words or "--beat" in words


def test_compose_defines_the_five_services(compose):
    assert {"web", "worker", "beat", "db", "redis"} <= set(compose["services"])


def test_redis_never_evicts_queued_tasks(compose):
    words = command_words(compose["services"]["redis"])

    assert "--maxmemory-policy" in words
    assert words[words.index("--maxmemory-policy") + 1] == "noeviction"
    assert words[words.index("--appendonly") + 1] == "yes"


def test_exactly_one_beat_runs(compose):
    beats = [name for name, service in compose["services"].items() if runs_beat(service)]

    assert beats == ["beat"]
    beat = compose["services"]["beat"]
    assert beat.get("scale", 1) == 1
    assert beat.get("deploy", {}).get("replicas", 1) == 1


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_services_wait_for_healthy_database_and_redis(compose, name):
    depends_on = compose["services"][name]["depends_on"]

    assert depends_on["db"]["condition"] == "service_healthy"
    assert depends_on["redis"]["condition"] == "service_healthy"


def test_every_awaited_service_has_a_healthcheck(compose):
    # `condition: service_healthy` on a service without a healthcheck never starts the dependant.
    services = compose["services"]
    awaited = {
        dependency
        for service in services.values()
        for dependency, spec in (service.get("depends_on") or {}).items()
        if isinstance(spec, dict) and spec.get("condition") == "service_healthy"
    }

    assert {"db", "redis"} <= awaited
    assert [name for name in sorted(awaited) if "test" not in services[name].get("healthcheck", {})] == []


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_services_require_secret_key_and_allowed_hosts(compose, name):
    service = compose["services"][name]
    environment = service["environment"]

    assert service["env_file"] in (".env", [".env"])
    assert environment["SECRET_KEY"].startswith("${SECRET_KEY:?")
    assert environment["ALLOWED_HOSTS"].startswith("${ALLOWED_HOSTS:?")
    assert environment["DATABASE_URL"].startswith("postgres://chainparty:${POSTGRES_PASSWORD")
    assert environment["DATABASE_URL"].endswith("@db:5432/chainparty")
    assert environment["REDIS_URL"] == "redis://redis:6379/0"


def test_every_compose_variable_is_documented_in_env_example(compose):
    used = set(re.findall(r"\$\{([A-Z_][A-Z0-9_]*)", (REPO_ROOT / "docker-compose.yml").read_text()))
    example = (REPO_ROOT / ".env.example").read_text(encoding="utf-8")
    documented = set(re.findall(r"^([A-Z_][A-Z0-9_]*)=", example, flags=re.MULTILINE))

    assert {"SECRET_KEY", "ALLOWED_HOSTS", "POSTGRES_PASSWORD"} <= used
    assert sorted(used - documented) == []


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_port(process, port, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return True
        except OSError:
            time.sleep(0.2)
    return False


def test_web_command_serves_a_login_page_its_healthcheck_accepts(compose, tmp_path):
    """Run the web service's own command (migrate, then gunicorn) under production settings on
    a free port, then its own healthcheck: the container would otherwise never become healthy,
    and worker and beat, which wait for it, would never start."""
    web = compose["services"]["web"]
    shell, flag, script = command_words(web)
    probe = web["healthcheck"]["test"]
    port = free_port()
    assert (shell, flag) == ("sh", "-c")
    assert script.index("manage.py migrate --noinput") < script.index("exec gunicorn chainparty.wsgi:application")
    assert "--bind 0.0.0.0:8000" in script
    assert probe[:3] == ["CMD", "python", "-c"] and HEALTHCHECK_URL in probe[3]

    runtime = tmp_path / "run"
    runtime.mkdir()
    env = production_env(
        tmp_path,
        SECRET_KEY=secrets.token_urlsafe(48),
        ALLOWED_HOSTS=".portal.example.cn,portal.example.org",
        DATABASE_URL=f"sqlite:///{tmp_path / 'web.sqlite3'}",
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        WEB_CONCURRENCY="1",
        XDG_RUNTIME_DIR=str(runtime),  # gunicorn's control socket, away from $HOME
    )
    env.pop("REDIS_URL", None)
    server = subprocess.Popen(
        ["sh", "-c", script.replace("--bind 0.0.0.0:8000", f"--bind 127.0.0.1:{port}")],
        cwd=REPO_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        listening = wait_for_port(server, port, timeout=120)
        checked = run_python(probe[3].replace("127.0.0.1:8000", f"127.0.0.1:{port}"), env) if listening else None
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        output, _ = server.communicate(timeout=30)

    assert listening, output
    assert checked.returncode == 0, checked.stderr + output
