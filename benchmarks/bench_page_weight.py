"""Page weight of the agenda: HTML + CSS + JS for 200 sessions, gzip-compressed, against the
budget of 150 KB (a trainee on a phone network between sessions).

    DEBUG=1 uv run python benchmarks/bench_page_weight.py

The agenda of the registration benchmark (200 sessions, 2,000 registrations) is served by
gunicorn with production settings (whitenoise, hashed static names). The page is fetched
anonymously and logged in (status and buttons on every card); every stylesheet and script it
links is fetched too, and each response is gzip-compressed (level 6, as a proxy would) and
summed. Exit status 1 when over budget.
"""

from __future__ import annotations

import gzip
import os
import re
import secrets
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.bench_registration import auth_headers, cookie_for, populate
from benchmarks.common import bench_env, gunicorn, request, scratch_database

DB = os.environ.get("BENCH_DB_PREFIX", "tce_bench") + "_page_weight"
BUDGET = 150 * 1024
ASSET = re.compile(r'<(?:link[^>]+rel="stylesheet"[^>]*href|script[^>]+src)="([^"]+)"')


def weigh(base: str, path: str, headers: dict | None = None) -> dict[str, tuple[int, int]]:
    """{url: (bytes, gzip bytes)} of the page and every stylesheet and script it links."""
    status, html, _ = request(base, "GET", path, headers=headers)
    if status != 200:
        raise RuntimeError(f"{path} answered {status}")
    sizes = {path: (len(html), len(gzip.compress(html, 6)))}
    for url in dict.fromkeys(ASSET.findall(html.decode())):
        status, body, _ = request(base, "GET", url)
        if status != 200:
            raise RuntimeError(f"{url} answered {status}")
        sizes[url] = (len(body), len(gzip.compress(body, 6)))
    return sizes


def main() -> int:
    env = bench_env(DB)
    os.environ.update(env)
    import django

    with scratch_database(DB, env):
        django.setup()
        from django.db import connection

        event, _target, _storm, one_user = populate(200, 2000, 0)
        logged_in = auth_headers(cookie_for(one_user), secrets.token_hex(16))
        connection.close()
        path = f"/events/{event.slug}/"
        over = False
        with gunicorn(env, workers=1, threads=1) as base:
            for who, headers in (("anonymous", None), ("logged in", logged_in)):
                sizes = weigh(base, path, headers)
                raw = sum(size for size, _ in sizes.values())
                packed = sum(packed for _, packed in sizes.values())
                over |= packed > BUDGET
                parts = ", ".join(
                    f"{'HTML' if url == path else url.rsplit('/', 1)[-1]} {packed / 1024:.1f}"
                    for url, (_, packed) in sizes.items()
                )
                print(
                    f"page weight, agenda of 200 sessions, {who}: {packed / 1024:.1f} KB gzip "
                    f"({raw / 1024:.0f} KB raw) against a budget of {BUDGET // 1024} KB: "
                    f"{'OVER' if packed > BUDGET else 'within'} ({parts}; KB gzip)"
                )
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
