"""``manage.py solve_matching PROBLEM.json`` - print the optimal mentoring schedule as JSON.

A thin wrapper: all logic (validation, solving, output shape) lives in
:mod:`mentorship.matching`, which is also runnable without Django as
``python -m mentorship.matching PROBLEM.json``.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from mentorship.matching import ProblemError, load_problem, solve


class Command(BaseCommand):
    help = "Solve a speed-mentoring problem file and print the schedule as JSON."
    # Pure computation on a file: no database or app checks needed, so start fast.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("problem", help="path to the problem JSON file")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            schedule = solve(load_problem(options["problem"]))
        except ProblemError as exc:
            # One line on stderr ("CommandError: ...") and exit status 2, never a traceback.
            raise CommandError(" ".join(str(exc).split()), returncode=2) from None
        self.stdout.write(json.dumps(schedule.to_json_dict()))
