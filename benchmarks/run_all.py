"""`make bench`: every benchmark in turn; each prints its own figures. Exit status 1 if any
benchmark's own correctness check failed.

`python benchmarks/run_all.py NAME…` runs only the named ones (see ONLY)."""

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCHMARKS = [
    ("registration: the stack's floor, agenda throughput, the rush", ["bench_registration.py"]),
    ("registration: the rush on the SQLite default", ["bench_registration.py", "--sqlite"]),
    ("page weight: the agenda's HTML, CSS and JS", ["bench_page_weight.py"]),
    ("matching: Blood Buddies schedule", ["bench_matching.py"]),
    ("outbox: reminder delivery", ["bench_outbox.py"]),
    (
        "dashboard: 200 sessions, 10,000 registrations, through the real view",
        ["bench_dashboard.py"],
    ),
    ("check-in: 2 staff marking 300 people at one door", ["bench_checkin.py"]),
    ("soak: mixed traffic for SOAK_SECONDS (default 30)", ["bench_soak.py"]),
]

# Names for running one benchmark alone, e.g. `python benchmarks/run_all.py agenda`.
ONLY = {
    "agenda": (
        "throughput: the stack's floor and the agenda",
        ["bench_registration.py", "--agenda"],
    ),
    "floor": (
        "throughput: the stack's floor and the agenda",
        ["bench_registration.py", "--agenda"],
    ),
    "registration": BENCHMARKS[0],
    "sqlite": BENCHMARKS[1],
    "weight": BENCHMARKS[2],
    "matching": BENCHMARKS[3],
    "outbox": BENCHMARKS[4],
    "dashboard": BENCHMARKS[5],
    "checkin": BENCHMARKS[6],
    "soak": BENCHMARKS[7],
}
assert ONLY["soak"][1][0] == "bench_soak.py", "names must follow BENCHMARKS"


def main() -> int:
    names = sys.argv[1:]
    unknown = [name for name in names if name not in ONLY]
    if unknown:
        print(f"unknown benchmark {', '.join(unknown)}; known: {', '.join(ONLY)}")
        return 2
    chosen = BENCHMARKS
    if names:
        chosen = []
        for name in names:
            if ONLY[name] not in chosen:
                chosen.append(ONLY[name])
    failed = []
    for title, args in chosen:
        script = HERE / args[0]
        if not script.exists():
            continue
        print(f"\n== {title}", flush=True)
        if subprocess.run([sys.executable, str(script), *args[1:]], cwd=HERE.parent).returncode:
            failed.append(title)
    if failed:
        print("\nfailed:", ", ".join(failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
