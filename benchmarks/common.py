"""Shared helpers for the benchmarks: a throwaway PostgreSQL database, a gunicorn server on a
free loopback port, and a small HTTP load generator. Everything started is stopped."""

from __future__ import annotations

import contextlib
import http.client
import os
import re
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
PG_SERVER = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def bench_env(db_name: str, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "benchmarks.settings",
            "DEBUG": "0",
            "SECRET_KEY": "bench-" + secrets.token_urlsafe(40),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SECURE_SSL_REDIRECT": "0",
            "SECURE_COOKIES": "0",
            "DATABASE_URL": f"{PG_SERVER}/{db_name}",
            "LOG_LEVEL": "WARNING",
            # Production-like: the cache every web process shares is Redis.
            "REDIS_URL": os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379/14"),
        }
    )
    env.update(extra)
    return env


def psql(sql: str) -> None:
    subprocess.run(
        ["psql", PG_SERVER + "/postgres", "-q", "-v", "ON_ERROR_STOP=1", "-c", sql],
        check=True,
        capture_output=True,
    )


@contextlib.contextmanager
def scratch_database(name: str, env: dict[str, str]):
    psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    psql(f'CREATE DATABASE "{name}"')
    try:
        manage(env, "migrate", "--noinput", "-v0")
        manage(env, "collectstatic", "--noinput", "-v0")
        yield
    finally:
        psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def manage(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return done.stdout


@contextlib.contextmanager
def gunicorn(env: dict[str, str], *, workers: int = 2, threads: int = 1, pids: list | None = None):
    """gunicorn on a free port; yields its base URL (and appends its master's pid to `pids`)."""
    port = free_port()
    cmd = [
        sys.executable, "-m", "gunicorn", "config.wsgi:application",
        "--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--threads", str(threads),
        "--log-level", "warning", "--backlog", "2048",
    ]  # fmt: skip
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env)
    if pids is not None:
        pids.append(proc.pid)
    try:
        for _ in range(200):
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                    break
            except OSError:
                time.sleep(0.05)
        else:
            raise RuntimeError("gunicorn did not start")
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


def request(base: str, method: str, path: str, *, headers=None, body: bytes | None = None):
    parts = urlsplit(base)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    try:
        started = time.perf_counter()
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        data = response.read()
        if os.environ.get("BENCH_VERBOSE") and response.status in (301, 302, 303):
            data = (response.getheader("Location") or "").encode()
        return response.status, data, time.perf_counter() - started
    finally:
        conn.close()


def load(base: str, path: str, *, seconds: float, clients: int, headers=None) -> dict:
    """Closed-loop load for `seconds`: wrk (C, one thread) when installed, else Python threads.
    wrk keeps the load generator from eating the CPU the server needs on a 2-core machine."""
    if shutil.which("wrk"):
        return _load_wrk(base, path, seconds=seconds, clients=clients, headers=headers)
    return _load_threads(base, path, seconds=seconds, clients=clients, headers=headers)


def _load_wrk(base: str, path: str, *, seconds: float, clients: int, headers=None) -> dict:
    cmd = ["wrk", "-t1", f"-c{clients}", f"-d{int(seconds)}s", "--latency"]
    for name, value in (headers or {}).items():
        cmd += ["-H", f"{name}: {value}"]
    out = subprocess.run([*cmd, base + path], capture_output=True, text=True, check=True).stdout

    def number(pattern: str) -> float:
        match = re.search(pattern, out)
        return float(match.group(1)) if match else 0.0

    def millis(label: str) -> float:
        match = re.search(rf"{label}\s+([\d.]+)(us|ms|s)", out)
        if not match:
            return 0.0
        return float(match.group(1)) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[match.group(2)]

    non_2xx = int(number(r"Non-2xx or 3xx responses:\s+(\d+)"))
    socket_errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
    return {
        "requests": int(number(r"(\d+) requests in")),
        "rps": number(r"Requests/sec:\s+([\d.]+)"),
        "errors": non_2xx + socket_errors,
        "non_2xx": non_2xx,
        "socket_errors": socket_errors,  # wrk's timeout is 2 s: a slow answer counts here
        "p50_ms": millis("50%"),
        "p90_ms": millis("90%"),
        "p99_ms": millis("99%"),
        "tool": "wrk",
    }


def _load_threads(base: str, path: str, *, seconds: float, clients: int, headers=None) -> dict:
    stop = time.perf_counter() + seconds
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()

    def worker():
        mine, bad = [], 0
        while time.perf_counter() < stop:
            status, _, elapsed = request(base, "GET", path, headers=headers)
            mine.append(elapsed)
            bad += status != 200
        with lock:
            latencies.extend(mine)
            errors[0] += bad

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    return {
        "requests": len(latencies),
        "rps": len(latencies) / elapsed,
        "errors": errors[0],
        "p50_ms": statistics.median(latencies) * 1000,
        "p90_ms": percentile(latencies, 0.90) * 1000,
        "p99_ms": percentile(latencies, 0.99) * 1000,
        "tool": "python threads",
    }


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def rush(base: str, path: str, headers: list[dict], *, processes: int = 4) -> dict:
    """Every request in `headers` POSTed once, all at the same moment, from `processes` client
    processes (asyncio, one connection per request), so the load generator is not hundreds of
    Python threads competing with the server for the same cores. Returns statuses in the
    order given, per-request latencies and the wall time from the start to the last answer."""
    import multiprocessing

    parts = urlsplit(base)
    start_at = time.time() + 1.5 + 0.2 * processes  # every process ready before it
    chunks = [list(range(len(headers)))[i::processes] for i in range(processes)]
    jobs = [(parts.hostname, parts.port, path, [headers[i] for i in c], start_at) for c in chunks]
    with multiprocessing.get_context("spawn").Pool(processes) as pool:
        answers = pool.map(_rush_client, jobs)
    statuses = [0] * len(headers)
    latencies = [0.0] * len(headers)
    finished = 0.0
    for chunk, (chunk_statuses, chunk_latencies, chunk_finished) in zip(
        chunks, answers, strict=True
    ):
        for i, status, latency in zip(chunk, chunk_statuses, chunk_latencies, strict=True):
            statuses[i], latencies[i] = status, latency
        finished = max(finished, chunk_finished)
    return {
        "statuses": statuses,
        "latencies": latencies,
        "seconds": finished - start_at,
        "p50_ms": statistics.median(latencies) * 1000,
        "p95_ms": percentile(latencies, 0.95) * 1000,
    }


def _rush_client(job) -> tuple[list[int], list[float], float]:
    import asyncio

    host, port, path, all_headers, start_at = job

    async def one(headers: dict) -> tuple[int, float]:
        lines = [f"POST {path} HTTP/1.1", f"Host: {host}:{port}", "Content-Length: 0"]
        lines += [f"{k}: {v}" for k, v in headers.items() if k.lower() != "content-length"]
        lines += ["Connection: close", "", ""]
        started = time.time()
        reader, writer = await asyncio.open_connection(host, port)
        writer.write("\r\n".join(lines).encode())
        await writer.drain()
        data = await reader.read()
        writer.close()
        status = int(data.split(b" ", 2)[1]) if data.startswith(b"HTTP/") else 0
        return status, time.time() - started

    async def main() -> list[tuple[int, float]]:
        await asyncio.sleep(max(0.0, start_at - time.time()))
        return await asyncio.gather(*(one(h) for h in all_headers))

    results = asyncio.run(main())
    return [s for s, _ in results], [t for _, t in results], time.time()
