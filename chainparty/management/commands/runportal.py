import os
import signal
import subprocess
import sys
import time

from django.core.management.base import BaseCommand

_WILDCARD_HOSTS = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}


def served_base_url(*, host: str, port: str) -> str:
    """The address a browser on this machine opens for `runserver host:port`."""
    host = _WILDCARD_HOSTS.get(host, host)
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"http://{host}:{port}"


def child_environment(*, host: str, port: str, environ=None) -> dict:
    """The environment of the web process and the worker: e-mail links (PORTAL_BASE_URL) point at the
    address being served, unless the environment already names one (e.g. the public address)."""
    env = dict(os.environ if environ is None else environ)
    if not env.get("PORTAL_BASE_URL"):
        env["PORTAL_BASE_URL"] = served_base_url(host=host, port=port)
    return env


class Command(BaseCommand):
    help = "Serve the portal with a Celery worker and beat beside it (development)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", default="8000")
        parser.add_argument("--no-worker", action="store_true", help="Only the web process.")

    def handle(self, *args, host, port, no_worker, **options):
        commands = [[sys.executable, "manage.py", "runserver", f"{host}:{port}"]]
        if not no_worker:
            commands.append(
                [
                    sys.executable,
                    "-m",
                    "celery",
                    "-A",
                    "chainparty",
                    "worker",
                    "-B",
                    "--loglevel=INFO",
                    "--concurrency=2",
                    "--without-mingle",
                    "--without-gossip",
                ]
            )
        env = child_environment(host=host, port=port)
        processes = [subprocess.Popen(command, env=env) for command in commands]
        self.stdout.write(
            f"ChainParty: {served_base_url(host=host, port=port)}/  (Ctrl+C to stop); "
            f"links in e-mails: {env['PORTAL_BASE_URL']}"
        )

        def stop(*_):
            for process in processes:
                if process.poll() is None:
                    process.send_signal(signal.SIGTERM)

        signal.signal(signal.SIGTERM, stop)
        try:
            while all(process.poll() is None for process in processes):
                time.sleep(0.5)
        except KeyboardInterrupt:
            pass
        finally:
            stop()
            for process in processes:
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    process.kill()
