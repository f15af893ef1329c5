"""Profiles (pyinstrument) of what bounds the figures `make bench` prints; the README cites
their output.

    DEBUG=1 uv run python benchmarks/profile.py floor|agenda|register|outbox

Runs in one process on a scratch PostgreSQL database (BENCH_DB_PREFIX + "_profile") with
the benchmark settings (DEBUG off, Redis cache and sessions), through Django's test client;
prints the median time per call and the profile tree.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import bench_env, scratch_database

DB = os.environ.get("BENCH_DB_PREFIX", "tce_bench") + "_profile"


def timed(label: str, call, repeat: int, *, warm: int = 3) -> None:
    from pyinstrument import Profiler

    for _ in range(warm):
        call()  # warm caches and connections
    times = []
    profiler = Profiler(interval=0.0005)
    profiler.start()
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    profiler.stop()
    print(f"{label}: median {statistics.median(times) * 1000:.1f} ms over {repeat} calls")
    print(profiler.output_text(unicode=False, color=False))


def main() -> int:
    what = sys.argv[1] if len(sys.argv) > 1 else "floor"
    env = bench_env(DB, ALLOWED_HOSTS="testserver", CELERY_BROKER_CONNECTION_TIMEOUT="1")
    os.environ.update(env)
    import django

    with scratch_database(DB, env):
        django.setup()
        from django.test import Client

        from benchmarks.bench_registration import populate

        if what != "outbox":  # the outbox makes its own people
            event, target, users, person = populate(200, 2000, 120)
            anonymous, logged_in = Client(), Client()
            logged_in.force_login(person)
        if what == "floor":
            timed("one-query view, anonymous", lambda: anonymous.get("/bench/one-query"), 300)
            timed("one-query view, logged in", lambda: logged_in.get("/bench/one-query"), 300)
        elif what == "agenda":
            timed("agenda, logged in", lambda: logged_in.get(f"/events/{event.slug}/"), 30)
        elif what == "register":
            from events.services import registration_create

            queue = iter(users)
            timed(
                "registration_create into one 50-seat session",
                lambda: registration_create(session=target, user=next(queue)),
                100,
            )
        elif what == "outbox":
            # The SMTP server runs in this process here (its thread shares the interpreter),
            # so the send itself reads slower than with a server of its own.
            from aiosmtpd.controller import Controller
            from django.conf import settings

            from benchmarks.bench_outbox import Counting, free_port
            from benchmarks.bench_outbox import populate as reminders

            port = free_port()
            controller = Controller(Counting(), hostname="127.0.0.1", port=port)
            controller.start()
            settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
            settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
            from notifications.services.delivery import notifications_dispatch_due

            reminders(600)
            timed("dispatcher run over 600 due reminders", notifications_dispatch_due, 1, warm=0)
            controller.stop()
        from django.db import connections

        connections.close_all()
    return 0


if __name__ == "__main__":
    sys.exit(main())
