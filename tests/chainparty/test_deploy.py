"""What an operator deploying ChainParty relies on: production settings that refuse to start
half-configured, a clean `check --deploy`, and a docker-compose.yml whose services start in the
right order, keep the broker's queue, run one beat and report the web as healthy when it is."""

import fnmatch
import os
import re
import secrets
import shlex
import shutil
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

# The subprocesses see only these from the caller: anything else (DEBUG, SECURE_*, or the
# DJANGO_ALLOW_ASYNC_UNSAFE that browser tests set in this process) would change what is checked.
_INHERITED = ("PATH", "HOME", "LANG", "LC_ALL", "LC_CTYPE", "TMPDIR", "TZ")


def production_env(tmp_path, **overrides):
    env = {key: os.environ[key] for key in _INHERITED if key in os.environ}
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


# --- The image -----------------------------------------------------------------------------


def dockerfile_instructions():
    text = (REPO_ROOT / "Dockerfile").read_text(encoding="utf-8")
    logical = re.sub(r"\\\n", " ", "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#")))
    return [line.strip().split(None, 1) for line in logical.splitlines() if line.strip()]


def test_image_runs_as_a_non_root_user_with_production_settings():
    instructions = dockerfile_instructions()
    users = [argument for keyword, argument in instructions if keyword == "USER"]
    environment = " ".join(argument for keyword, argument in instructions if keyword in ("ENV", "ARG"))

    assert users and users[-1].split(":")[0] not in ("root", "0")
    assert "DJANGO_SETTINGS_MODULE=chainparty.settings.production" in environment
    # The build-time dummy key must never become the running containers' key.
    assert "SECRET_KEY" not in environment


def dockerignored(relative, patterns):
    """Whether Docker leaves `relative` out of the build context: a pattern matches the path or
    one of its parent directories; `**/name` matches at any depth."""
    parts = relative.split("/")
    prefixes = ["/".join(parts[:depth]) for depth in range(1, len(parts) + 1)]
    return any(
        any(fnmatch.fnmatch(part, pattern[3:]) for part in parts)
        if pattern.startswith("**/")
        else any(fnmatch.fnmatch(prefix, pattern) for prefix in prefixes)
        for pattern in patterns
    )


def dockerignore_patterns():
    lines = (REPO_ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


@pytest.fixture(scope="module")
def image_tree(tmp_path_factory):
    """The image's /app, built as the Dockerfile does: the build context less .dockerignore,
    then collectstatic under production settings with throwaway secrets."""
    patterns = dockerignore_patterns()
    app = tmp_path_factory.mktemp("image") / "app"

    def ignore(directory, names):
        base = Path(directory).relative_to(REPO_ROOT).as_posix()
        return {name for name in names if dockerignored(name if base == "." else f"{base}/{name}", patterns)}

    shutil.copytree(REPO_ROOT, app, ignore=ignore)
    build_env = production_env(
        app.parent,
        SECRET_KEY="collectstatic-build-step-only-not-a-secret",
        ALLOWED_HOSTS="build.invalid",
        CHAINPARTY_VAR_DIR=str(app.parent / "build-var"),
    )
    collected = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput"],
        cwd=app,
        env=build_env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert collected.returncode == 0, collected.stdout + collected.stderr
    return app


def test_build_context_leaves_out_secrets_and_local_state():
    patterns = dockerignore_patterns()
    kept_out = [".env", ".env.production", ".git", ".venv", "var", "staticfiles", "tests", "demands/__pycache__"]
    kept_in = ["manage.py", "pyproject.toml", "chainparty/settings/base.py", "templates/base.html", "static/css"]

    assert [path for path in kept_out if not dockerignored(path, patterns)] == []
    assert [path for path in kept_in if dockerignored(path, patterns)] == []


def test_image_tree_holds_the_code_and_collected_static_files(image_tree):
    copied = {path.name for path in image_tree.iterdir()}

    assert {"manage.py", "chainparty", "templates", "static", "staticfiles"} <= copied
    assert (image_tree / "staticfiles" / "staticfiles.json").is_file()


def test_web_command_serves_a_login_page_its_healthcheck_accepts(compose, image_tree, tmp_path):
    """Run the web service's own command (migrate, then gunicorn) in the image's tree under
    production settings on a free port, then its own healthcheck: if that fails the container
    never becomes healthy, and worker and beat, which wait for it, never start."""
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
    server = subprocess.Popen(
        ["sh", "-c", script.replace("--bind 0.0.0.0:8000", f"--bind 127.0.0.1:{port}")],
        cwd=image_tree,
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


def test_wsgi_module_freezes_the_objects_loaded_at_start_up(tmp_path):
    env = production_env(tmp_path, SECRET_KEY=secrets.token_urlsafe(48), ALLOWED_HOSTS="portal.example.cn")
    code = "import gc, chainparty.wsgi; from django.urls import get_resolver; print(gc.get_freeze_count())"
    result = run_python(code, env)

    assert result.returncode == 0, result.stderr
    assert int(result.stdout.strip()) > 10_000, "apps, models and URL patterns are out of the collector's reach"
