"""`make run` (scripts/run.sh) as a society first tries it: a one-machine deployment on the
embedded defaults, started once for this module on a free port, as `.ci/run` starts it.

The tests read what a person at the browser sees, what the processes were started with and
what the script left on disk; the last one presses Ctrl-C.
"""

import contextlib
import os
import re
import shutil
import signal
import stat
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import free_port

ROOT = Path(__file__).resolve().parents[1]
START_TIMEOUT = 240  # migrate + load_demo + collectstatic on a busy 2-core machine

# Variables of the test run (or a developer's shell) that would change what run.sh decides.
NOT_INHERITED = (
    "DATABASE_URL",
    "REDIS_URL",
    "DEBUG",
    "SECRET_KEY",
    "SECRET_KEY_FILE",
    "SITE_URL",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_COOKIES",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
    "DJANGO_SETTINGS_MODULE",
    "DEMO",
)


class Run:
    def __init__(self, tmp: Path):
        self.tmp = tmp
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.secret_key_file = tmp / "secret_key"
        self.log_path = tmp / "run.log"
        env = {k: v for k, v in os.environ.items() if k not in NOT_INHERITED}
        env.update(
            PORT=str(self.port),
            SQLITE_PATH=str(tmp / "db.sqlite3"),
            CELERY_DATA_DIR=str(tmp / "celery"),
            CACHE_DIR=str(tmp / "cache"),
            # Where run.sh keeps its key (var/secret_key by default), out of the project here.
            SECRET_KEY_FILE=str(self.secret_key_file),
            WEB_CONCURRENCY="1",
            # As the Makefile finds it: on PATH, else the one pip installed as a module.
            UV=shutil.which("uv") or "python3 -m uv",
        )
        self.log = self.log_path.open("wb")
        # A session of its own, like a terminal's foreground job: Ctrl-C reaches the group.
        self.proc = subprocess.Popen(
            ["bash", "scripts/run.sh"],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.pgid = self.proc.pid

    def output(self) -> str:
        return self.log_path.read_text(errors="replace")

    def wait_until_up(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"run.sh exited ({self.proc.returncode}):\n{self.output()}")
            try:
                if httpx.get(f"{self.url}/healthz", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        raise AssertionError(f"no answer on {self.url} after {START_TIMEOUT} s:\n{self.output()}")

    def group_pids(self) -> list[int]:
        pids = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            state, pgid = fields[0], int(fields[2])
            if pgid == self.pgid and state != "Z":
                pids.append(int(entry.name))
        return pids

    def process_env(self, needle: str) -> dict[str, str]:
        """The environment of the group's process whose command line contains `needle`."""
        for pid in self.group_pids():
            try:
                cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
                environ = Path(f"/proc/{pid}/environ").read_bytes()
            except OSError:
                continue
            if needle in cmdline and "python" in cmdline:
                pairs = (item.split("=", 1) for item in environ.decode().split("\0") if "=" in item)
                return dict(pairs)
        raise AssertionError(f"no process running {needle!r}")

    def interrupt(self) -> None:
        """Ctrl-C in the terminal: SIGINT to every process of the foreground group."""
        if self.proc.poll() is None:
            os.killpg(self.pgid, signal.SIGINT)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(timeout=30)

    def stop(self) -> None:
        self.interrupt()
        if self.group_pids():
            os.killpg(self.pgid, signal.SIGKILL)
        self.proc.wait(timeout=10)
        self.log.close()


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    run = Run(tmp_path_factory.mktemp("make-run"))
    try:
        run.wait_until_up()
        yield run
    finally:
        run.stop()


def test_run_serves_the_demo_agenda(served):
    response = httpx.get(f"{served.url}/events/ash-2019/")

    assert response.status_code == 200
    assert "Trainee Career Development Lunch" in response.text


def test_run_answers_an_unknown_address_with_the_friendly_404_page(served):
    response = httpx.get(f"{served.url}/no-such-page/")

    assert response.status_code == 404
    assert "Page not found" in response.text
    assert "Go to the agenda" in response.text
    assert "URLconf" not in response.text
    assert "admin/" not in response.text


def test_run_serves_plain_http_without_redirect_or_secure_only_cookies(served):
    response = httpx.get(f"{served.url}/accounts/login/")

    assert response.status_code == 200
    assert "Strict-Transport-Security" not in response.headers
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("csrftoken=")
    assert "secure" not in cookie.lower()


def test_run_serves_hashed_static_files_through_whitenoise(served):
    page = httpx.get(f"{served.url}/").text
    stylesheet = re.search(r'href="(/static/css/site\.[0-9a-f]{12}\.css)"', page)
    assert stylesheet, page[:800]

    response = httpx.get(served.url + stylesheet.group(1))

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/css")
    assert "immutable" in response.headers["cache-control"]


def test_run_serves_the_site_icon(served):
    page = httpx.get(f"{served.url}/").text
    icon = re.search(r'<link rel="icon" href="(/static/favicon\.[0-9a-f]{12}\.svg)"', page)
    assert icon, page[:800]

    assert httpx.get(served.url + icon.group(1)).status_code == 200
    assert httpx.get(f"{served.url}/favicon.ico").status_code == 200


def test_run_keeps_its_secret_key_in_a_file_only_its_owner_reads(served):
    mode = stat.S_IMODE(served.secret_key_file.stat().st_mode)

    assert mode == 0o600
    assert len(served.secret_key_file.read_text().strip()) >= 50


@pytest.mark.parametrize("process", ["gunicorn", "worker", "beat"])
def test_run_gives_every_process_a_site_url_on_the_served_port(served, process):
    env = served.process_env(process)

    assert env["SITE_URL"] == served.url
    assert env["DEBUG"] == "0"


def test_run_mail_links_point_at_the_served_port(served):
    with httpx.Client(base_url=served.url) as browser:
        form = browser.get("/accounts/password/reset/").text
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
        answer = browser.post(
            "/accounts/password/reset/",
            data={"csrfmiddlewaretoken": token, "email": "trainee@example.org"},
        )
    assert answer.status_code == 302

    # The console mail backend prints the message into run.sh's output.
    links = re.findall(r"https?://[^\s/\"<>]+/accounts/password/reset/key/\S+", served.output())
    assert links
    assert all(link.startswith(f"{served.url}/") for link in links)


def test_run_on_the_embedded_database_loads_the_demo_and_repeats_its_logins_last(served):
    output = served.output()
    banner = output[output.index("Demo logins:") :]

    assert "  trainee: trainee@example.org / password trainee-demo-2019" in banner
    assert "  staff: staff@example.org / password staff-demo-2019" in banner
    assert "Ctrl-C stops web, worker and beat." in banner


def test_ctrl_c_stops_web_worker_and_beat(served):
    """Runs last in this module: it ends the run the other tests used."""
    assert len(served.group_pids()) >= 3

    served.interrupt()

    assert served.proc.returncode is not None
    deadline = time.monotonic() + 10
    while served.group_pids() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert served.group_pids() == []
    assert "stopped web, worker and beat" in served.output()
