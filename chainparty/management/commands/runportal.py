import signal
import subprocess
import sys
import time

from django.core.management.base import BaseCommand


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
        processes = [subprocess.Popen(command) for command in commands]
        self.stdout.write(f"ChainParty: http://{host}:{port}/  (Ctrl+C to stop)")

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
