"""`make run` serves on HOST:PORT; the links in e-mails must point there unless told otherwise."""

import io
import signal

from django.core.management import call_command

from chainparty.management.commands import runportal


def test_base_url_follows_the_served_port_when_unset():
    env = runportal.child_environment(host="127.0.0.1", port="8123", environ={"PATH": "/usr/bin"})
    assert env["PORTAL_BASE_URL"] == "http://127.0.0.1:8123"
    assert env["PATH"] == "/usr/bin"


def test_a_configured_base_url_is_kept():
    env = runportal.child_environment(
        host="0.0.0.0", port="8123", environ={"PORTAL_BASE_URL": "https://portal.example.cn"}
    )
    assert env["PORTAL_BASE_URL"] == "https://portal.example.cn"


def test_an_empty_base_url_counts_as_unset():
    env = runportal.child_environment(host="localhost", port="9000", environ={"PORTAL_BASE_URL": ""})
    assert env["PORTAL_BASE_URL"] == "http://localhost:9000"


def test_wildcard_and_ipv6_hosts_give_an_address_a_browser_opens():
    assert runportal.child_environment(host="0.0.0.0", port="8080", environ={})["PORTAL_BASE_URL"] == (
        "http://127.0.0.1:8080"
    )
    assert runportal.child_environment(host="::", port="8080", environ={})["PORTAL_BASE_URL"] == "http://[::1]:8080"
    assert runportal.child_environment(host="::1", port="8080", environ={})["PORTAL_BASE_URL"] == "http://[::1]:8080"


def test_the_web_process_and_the_worker_both_get_it(monkeypatch):
    started = []

    class Finished:
        def __init__(self, command, env=None):
            started.append((command, env))

        def poll(self):
            return 0

        def wait(self, timeout=None):
            return 0

    monkeypatch.delenv("PORTAL_BASE_URL", raising=False)
    monkeypatch.setattr(runportal.subprocess, "Popen", Finished)
    monkeypatch.setattr(signal, "signal", lambda *args: None)
    call_command("runportal", host="127.0.0.1", port="8765", stdout=io.StringIO())
    assert len(started) == 2  # runserver and the Celery worker
    assert "runserver" in started[0][0] and "celery" in started[1][0]
    assert all(env and env["PORTAL_BASE_URL"] == "http://127.0.0.1:8765" for _command, env in started)
