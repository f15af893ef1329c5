"""Fixtures for the outbox tests: a real SMTP server on loopback whose behaviour a test can
bend (refuse an address, answer slowly, hold one message), events to register for, and a real
Celery worker subprocess against Redis and the test database."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from tests.conftest import free_port
from tests.factories import EventFactory, RoomFactory, SessionFactory

ROOT = Path(__file__).resolve().parents[2]
# The real-worker tests use their own Redis database, so nothing they queue meets the cache
# or another run's tasks in the suite's database (REDIS_URL, cleared before every test).
WORKER_REDIS_DB = 13


@pytest.fixture(autouse=True)
def scheduled(recording_broker):
    """The broker is an edge for the in-process tests: what would be pushed after commit is
    recorded here (the real-worker tests drive a real broker explicitly)."""
    return {"deliveries": recording_broker.deliveries, "dispatches": recording_broker.dispatches}


@pytest.fixture
def no_mail_server(settings):
    """SMTP pointed at a loopback port where nothing listens: the server is down."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = free_port()
    settings.EMAIL_TIMEOUT = 2


def in_future(**delta) -> dt.datetime:
    return timezone.now() + dt.timedelta(**delta)


@pytest.fixture
def make_session(db):
    """A session in New York time; `starts_at` decides when its reminders fall due."""

    def make(*, starts_at: dt.datetime, offsets=(1440, 60), capacity=20, **extra):
        event = EventFactory(reminder_offsets=list(offsets))
        room = RoomFactory(event=event, name="W224", location="Level 2, west hall")
        return SessionFactory(
            event=event,
            room=room,
            starts_at=starts_at,
            ends_at=starts_at + dt.timedelta(minutes=45),
            capacity=capacity,
            **extra,
        )

    return make


# --- the real worker -------------------------------------------------------------------------


def database_url() -> str:
    """pytest-django's test database, for a subprocess (only PostgreSQL can be shared)."""
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s.get("PASSWORD") else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def worker_redis_url(redis_url: str) -> str:
    base = redis_url.rsplit("/", 1)[0] if redis_url.count("/") > 2 else redis_url
    return f"{base}/{WORKER_REDIS_DB}"


def subprocess_env(*, redis: str, mail_port: int) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DEBUG": "1",
            "DATABASE_URL": database_url(),
            "CONN_MAX_AGE": "0",
            "REDIS_URL": redis,
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(mail_port),
            "EMAIL_TIMEOUT": "10",
            "SITE_URL": settings.SITE_URL,
            "LOG_LEVEL": "INFO",
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


class Worker:
    """`celery -A config worker --pool=solo` as a subprocess on its own queue."""

    def __init__(self, *, env: dict[str, str], queue: str):
        self.env, self.queue = env, queue
        self.proc: subprocess.Popen | None = None
        self.log = tempfile.NamedTemporaryFile(  # noqa: SIM115 (closed in stop())
            prefix="celery-worker-", suffix=".log", delete=False
        )
        self.starts = 0

    def start(self, timeout: float = 45.0) -> None:
        self.starts += 1
        offset = self.log.tell()
        cmd = [
            sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo",
            "-Q", self.queue, "-n", f"{self.queue}-{self.starts}@%h", "--loglevel=INFO",
            "--without-heartbeat", "--without-mingle", "--without-gossip",
        ]  # fmt: skip
        self.proc = subprocess.Popen(
            cmd, cwd=ROOT, env=self.env, stdout=self.log, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"worker exited at start:\n{self.output()}")
            if " ready." in self.output(offset):
                return
            time.sleep(0.1)
        raise RuntimeError(f"worker not ready after {timeout} s:\n{self.output()}")

    def output(self, offset: int = 0) -> str:
        self.log.flush()
        return Path(self.log.name).read_bytes()[offset:].decode(errors="replace")

    def kill(self) -> None:
        """SIGKILL: no warm shutdown, no chance to ack or to roll back politely."""
        assert self.proc is not None
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)

    def trigger_dispatch(self) -> None:
        """What beat does every minute: queue one dispatcher run (on this worker's queue)."""
        from config.celery import app

        with app.connection_for_write(self.env["REDIS_URL"]) as conn:
            app.send_task(
                "notifications.tasks.notifications_dispatch_due_task",
                queue=self.queue,
                connection=conn,
            )


def redis_cleanup(url: str, queue: str) -> None:
    """Drops what a test's queue left in the worker database (a killed worker's unacked
    message included), without touching other runs' queues."""
    import redis

    client = redis.Redis.from_url(url)
    try:
        for key in client.scan_iter(match=f"*{queue}*"):
            client.delete(key)
        for tag, payload in client.hscan_iter("unacked"):
            if queue.encode() in payload:
                client.hdel("unacked", tag)
                client.zrem("unacked_index", tag)
    finally:
        client.close()


@pytest.fixture
def worker_factory(redis_url, postgres):
    """Real workers for one test; always stopped (and their queue cleaned) afterwards."""
    queue = f"tce-test-{uuid.uuid4().hex[:10]}"
    url = worker_redis_url(redis_url)
    workers: list[Worker] = []

    def make(*, mail_port: int) -> Worker:
        worker = Worker(env=subprocess_env(redis=url, mail_port=mail_port), queue=queue)
        workers.append(worker)
        return worker

    make.redis_url = url
    try:
        yield make
    finally:
        for worker in workers:
            worker.stop()
            worker.log.close()
            os.unlink(worker.log.name)
        redis_cleanup(url, queue)


def wait_until(predicate, *, timeout: float, interval: float = 0.1, tick=None) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        if tick is not None:
            tick()
        time.sleep(interval)
    return predicate()
