"""Tests for the pure speed-mentoring scheduler (no database, no Django settings needed).

Optimality is checked against two independent exact references:

* a brute-force search over every placement of every pair into a round (tiny instances),
  using the *literal* fairness rule ("as many trainees as possible get a first meeting,
  then a second, ..."), not the d(d+1)/2 surrogate the solver uses;
* a time-indexed MILP (scipy / HiGHS) with explicit rounds, solved lexicographically in
  three stages, which does not rely on the flow relaxation or on Koenig's theorem.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from io import StringIO
from pathlib import Path

import numpy as np
import pytest
from django.core.management import CommandError, call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import Bounds, LinearConstraint, milp

from mentorship.matching import (
    Meeting,
    Problem,
    ProblemError,
    Schedule,
    assign_rounds,
    colour_bipartite,
    main,
    problem_from_dict,
    problem_from_json,
    solve,
)

ROOT = Path(__file__).resolve().parents[2]

EXAMPLE = {
    "rounds": 6,
    "mentors": [{"id": "m1", "capacity": 2}],
    "trainees": [{"id": "t1"}, {"id": "t2"}],
    "scores": [["t1", "m1", 7]],
    "forbidden": [["t2", "m1"]],
}


# --------------------------------------------------------------------------- helpers


def check_rules(problem: Problem, schedule: Schedule) -> None:
    """Every hard rule of the contract, plus internal consistency of the output."""
    seen_pairs = set()
    per_trainee_round = Counter()
    per_mentor_round = Counter()
    for m in schedule.meetings:
        assert 0 <= m.round < problem.rounds
        assert m.trainee in problem.trainees and m.mentor in problem.mentors
        assert (m.trainee, m.mentor) not in problem.forbidden
        assert (m.trainee, m.mentor) not in seen_pairs
        seen_pairs.add((m.trainee, m.mentor))
        per_trainee_round[m.trainee, m.round] += 1
        per_mentor_round[m.mentor, m.round] += 1
    assert all(n == 1 for n in per_trainee_round.values())
    assert all(n <= problem.mentors[m] for (m, _), n in per_mentor_round.items())
    keys = [(m.round, m.mentor, m.trainee) for m in schedule.meetings]
    assert keys == sorted(keys)

    out = json.loads(json.dumps(schedule.to_json_dict()))
    assert set(out) == {"meetings", "count", "total_score", "unmatched_rounds"}
    assert out["count"] == len(out["meetings"]) == schedule.count
    assert out["total_score"] == sum(
        problem.scores.get((m["trainee"], m["mentor"]), 0) for m in out["meetings"]
    )
    expected_unmatched = {}
    for t in problem.trainees:
        free = [r for r in range(problem.rounds) if (t, r) not in per_trainee_round]
        if free:
            expected_unmatched[t] = free
    assert out["unmatched_rounds"] == expected_unmatched


def triple(problem: Problem, schedule: Schedule) -> tuple[int, int, int]:
    return schedule.count, schedule.fairness, schedule.total_score


def milp_reference(problem: Problem) -> tuple[int, int, int]:
    """Lexicographic optimum of a time-indexed MILP: x[t,m,r] = 1 if t meets m in round r.

    z[t,k] = 1 if t has at least k meetings (z[t,k] <= z[t,k-1]), so sum(k * z) = d(d+1)/2
    exactly, without relying on convexity.  Stages: max meetings; min fairness with the
    count fixed; max score with both fixed.
    """
    ts, ms, rounds = list(problem.trainees), list(problem.mentors), problem.rounds
    if rounds == 0 or not ts or not ms:
        return 0, 0, 0
    xs = [
        (t, m, r)
        for t in ts
        for m in ms
        for r in range(rounds)
        if (t, m) not in problem.forbidden and problem.mentors[m] > 0
    ]
    zs = [(t, k) for t in ts for k in range(1, rounds + 1)]
    nx, n = len(xs), len(xs) + len(zs)
    xi = {v: i for i, v in enumerate(xs)}
    zi = {v: nx + i for i, v in enumerate(zs)}
    rows, lo, hi = [], [], []

    def row(coeffs, low, high):
        a = np.zeros(n)
        for i, c in coeffs:
            a[i] += c
        rows.append(a)
        lo.append(low)
        hi.append(high)

    for t in ts:
        for r in range(rounds):
            row([(xi[v], 1) for v in xs if v[0] == t and v[2] == r], -np.inf, 1)
        for m in ms:
            row([(xi[v], 1) for v in xs if v[0] == t and v[1] == m], -np.inf, 1)
        meet = [(xi[v], 1) for v in xs if v[0] == t]
        row(meet + [(zi[t, k], -1) for k in range(1, rounds + 1)], 0, 0)
        for k in range(2, rounds + 1):
            row([(zi[t, k], 1), (zi[t, k - 1], -1)], -np.inf, 0)
    for m in ms:
        for r in range(rounds):
            row([(xi[v], 1) for v in xs if v[1] == m and v[2] == r], -np.inf, problem.mentors[m])

    count_c = np.array([1.0] * nx + [0.0] * len(zs))
    fair_c = np.array([0.0] * nx + [k for _, k in zs])
    score_c = np.array([problem.scores.get((t, m), 0) for t, m, _ in xs] + [0.0] * len(zs))
    results = []
    for c, sign in ((count_c, -1), (fair_c, 1), (score_c, -1)):
        res = milp(
            sign * c,
            constraints=LinearConstraint(np.array(rows), lo, hi) if rows else None,
            integrality=np.ones(n),
            bounds=Bounds(0, 1),
        )
        assert res.status == 0, res.message
        value = round(float(c @ res.x))
        results.append(value)
        rows.append(c)
        lo.append(value)
        hi.append(value)
    return tuple(results)


def brute_force_reference(problem: Problem) -> tuple:
    """Best (count, (n1, n2, ...), score) over ALL placements; n_k = #trainees with >= k."""
    ts, rounds = list(problem.trainees), problem.rounds
    pairs = [(t, m) for t in ts for m in problem.mentors if (t, m) not in problem.forbidden]
    best = None
    busy_t: set = set()
    load: Counter = Counter()
    chosen: list = []

    def key():
        deg = Counter(t for t, _ in chosen)
        ns = tuple(sum(1 for t in ts if deg[t] >= k) for k in range(1, rounds + 1))
        return len(chosen), ns, sum(problem.scores.get(p, 0) for p in chosen)

    def rec(i):
        nonlocal best
        if i == len(pairs):
            k = key()
            if best is None or k > best:
                best = k
            return
        rec(i + 1)
        t, m = pairs[i]
        for r in range(rounds):
            if (t, r) not in busy_t and load[m, r] < problem.mentors[m]:
                busy_t.add((t, r))
                load[m, r] += 1
                chosen.append(pairs[i])
                rec(i + 1)
                chosen.pop()
                load[m, r] -= 1
                busy_t.discard((t, r))

    rec(0)
    return best


def literal_key(problem: Problem, schedule: Schedule) -> tuple:
    deg = Counter(m.trainee for m in schedule.meetings)
    ns = tuple(
        sum(1 for t in problem.trainees if deg[t] >= k) for k in range(1, problem.rounds + 1)
    )
    return schedule.count, ns, schedule.total_score


@st.composite
def problems(draw, max_t=6, max_m=4, max_cap=3, max_rounds=4, forbid_weight=4):
    # Empty instances are covered by unit tests; draw non-trivial ones here.
    n_t = draw(st.integers(1, max_t))
    n_m = draw(st.integers(1, max_m))
    rounds = draw(st.integers(1, max_rounds))
    trainees = tuple(f"t{i}" for i in range(n_t))
    # Hypothesis favours 0 / the first choice; make those the common, interesting cases.
    caps = draw(
        st.lists(st.sampled_from([1, *range(2, max_cap + 1), 0]), min_size=n_m, max_size=n_m)
    )
    mentors = {f"m{j}": c for j, c in enumerate(caps)}
    pairs = [(t, m) for t in trainees for m in mentors]
    raw = draw(st.lists(st.integers(-4, 10), min_size=len(pairs), max_size=len(pairs)))
    scores = {p: s for p, s in zip(pairs, raw, strict=True) if s >= 0}  # ~30% unlisted
    flags = draw(st.lists(st.integers(0, forbid_weight), min_size=len(pairs), max_size=len(pairs)))
    forbidden = frozenset(p for p, f in zip(pairs, flags, strict=True) if f == forbid_weight)
    return Problem(rounds, trainees, mentors, scores, forbidden)


# --------------------------------------------------------------------------- unit tests


def test_example_from_contract():
    schedule = solve(problem_from_dict(EXAMPLE))
    out = schedule.to_json_dict()
    assert out == {
        "meetings": [{"round": 0, "trainee": "t1", "mentor": "m1"}],
        "count": 1,
        "total_score": 7,
        "unmatched_rounds": {"t1": [1, 2, 3, 4, 5], "t2": [0, 1, 2, 3, 4, 5]},
    }


def test_capacity_limits_each_round_and_everyone_gets_a_turn():
    p = problem_from_dict(
        {
            "rounds": 2,
            "mentors": [{"id": "a", "capacity": 2}, {"id": "b", "capacity": 1}],
            "trainees": [{"id": f"t{i}"} for i in range(5)],
            "scores": [["t0", "a", 9], ["t0", "b", 9]],
        }
    )
    s = solve(p)
    check_rules(p, s)
    # 3 seats per round x 2 rounds = 6 meetings; fairness: everyone first, then one second.
    assert s.count == 6
    assert sorted(Counter(m.trainee for m in s.meetings).values()) == [1, 1, 1, 1, 2]
    assert s.total_score == 18  # the extra meeting goes to t0, who scores 9 with both


def test_fairness_beats_score():
    # t0 loves both mentors, but one seat per round must go to t1 first.
    p = Problem(2, ("t0", "t1"), {"a": 1}, {("t0", "a"): 100})
    s = solve(p)
    assert s.count == 2 and s.fairness == 2
    assert {m.trainee for m in s.meetings} == {"t0", "t1"}


def test_forbidden_pairs_never_meet():
    p = Problem(3, ("t0", "t1"), {"a": 2, "b": 2}, {}, frozenset({("t0", "a"), ("t1", "b")}))
    s = solve(p)
    check_rules(p, s)
    assert {(m.trainee, m.mentor) for m in s.meetings} == {("t0", "b"), ("t1", "a")}


def test_rounds_zero_and_no_mentors_and_capacity_zero():
    assert solve(Problem(0, ("t",), {"m": 1})).to_json_dict() == {
        "meetings": [],
        "count": 0,
        "total_score": 0,
        "unmatched_rounds": {},
    }
    assert solve(Problem(3, ("t", "u"), {})).to_json_dict()["unmatched_rounds"] == {
        "t": [0, 1, 2],
        "u": [0, 1, 2],
    }
    assert solve(Problem(2, ("t",), {"m": 0}, {("t", "m"): 5})).count == 0
    assert solve(Problem(2, (), {"m": 1})).to_json_dict()["unmatched_rounds"] == {}


def test_huge_capacity_and_rounds_are_clipped_not_overflowed():
    p = Problem(10**6, ("t0", "t1"), {"a": 10**30, "b": 1}, {("t0", "a"): 3})
    s = solve(p)
    assert s.count == 4 and s.total_score == 3
    assert max(m.round for m in s.meetings) < 2  # meetings are packed into early rounds


def test_too_large_scores_are_a_problem_error():
    with pytest.raises(ProblemError, match="scores"):
        solve(Problem(1, ("t",), {"m": 1}, {("t", "m"): 2**62}))


BAD_INPUTS = [
    ([], "expected a JSON object"),
    ({"mentors": [], "trainees": []}, "missing key 'rounds'"),
    ({"rounds": 2, "trainees": []}, "missing key 'mentors'"),
    ({"rounds": 2, "mentors": []}, "missing key 'trainees'"),
    ({"rounds": -1, "mentors": [], "trainees": []}, "rounds must be"),
    ({"rounds": 1.5, "mentors": [], "trainees": []}, "rounds must be"),
    ({"rounds": "3", "mentors": [], "trainees": []}, "rounds must be"),
    ({"rounds": True, "mentors": [], "trainees": []}, "rounds must be"),
    ({"rounds": 1, "mentors": {}, "trainees": []}, "mentors: expected a list"),
    ({"rounds": 1, "mentors": [{"id": "m"}], "trainees": []}, "mentors[0]: missing key 'capacity'"),
    ({"rounds": 1, "mentors": [{"capacity": 1}], "trainees": []}, "mentors[0]: missing key 'id'"),
    ({"rounds": 1, "mentors": ["m"], "trainees": []}, "mentors[0]: expected a JSON object"),
    ({"rounds": 1, "mentors": [{"id": "m", "capacity": -1}], "trainees": []}, "capacity must be"),
    ({"rounds": 1, "mentors": [{"id": "m", "capacity": 2.0}], "trainees": []}, "capacity must be"),
    ({"rounds": 1, "mentors": [{"id": 5, "capacity": 1}], "trainees": []}, "mentors[0]: id must"),
    ({"rounds": 1, "mentors": [], "trainees": [{"id": ""}]}, "trainees[0]: id must"),
    (
        {"rounds": 1, "mentors": [{"id": "m", "capacity": 1}] * 2, "trainees": []},
        "mentors[1]: duplicate mentor id 'm'",
    ),
    ({"rounds": 1, "mentors": [], "trainees": [{"id": "t"}] * 2}, "duplicate trainee id 't'"),
    ({**EXAMPLE, "scores": [["tx", "m1", 1]]}, 'scores[0]: unknown trainee id "tx"'),
    ({**EXAMPLE, "scores": [["t1", "mx", 1]]}, 'scores[0]: unknown mentor id "mx"'),
    ({**EXAMPLE, "scores": [["t1", "m1", -1]]}, "scores[0]: score must be"),
    ({**EXAMPLE, "scores": [["t1", "m1", 1.5]]}, "scores[0]: score must be"),
    ({**EXAMPLE, "scores": [["t1", "m1"]]}, "scores[0]: expected [trainee, mentor, score]"),
    ({**EXAMPLE, "scores": [["t1", "m1", 1], ["t1", "m1", 2]]}, "scores[1]: duplicate score"),
    ({**EXAMPLE, "scores": {"t1": 1}}, "scores: expected a list"),
    ({**EXAMPLE, "forbidden": [["t9", "m1"]]}, "forbidden[0]: unknown trainee id"),
    ({**EXAMPLE, "forbidden": [["t1", "m9"]]}, "forbidden[0]: unknown mentor id"),
    ({**EXAMPLE, "forbidden": [["t1"]]}, "forbidden[0]: expected [trainee, mentor]"),
]


@pytest.mark.parametrize(("data", "message"), BAD_INPUTS)
def test_bad_input_is_a_problem_error_naming_the_item(data, message):
    with pytest.raises(ProblemError) as err:
        problem_from_dict(data)
    assert message in str(err.value)
    assert "\n" not in str(err.value)


def test_optional_keys_default_to_empty():
    p = problem_from_dict({"rounds": 1, "mentors": [], "trainees": [{"id": "t"}]})
    assert p.scores == {} and p.forbidden == frozenset()


def test_problem_constructor_validates_too():
    with pytest.raises(ProblemError, match="unknown mentor"):
        Problem(1, ("t",), {"m": 1}, {("t", "x"): 1})
    with pytest.raises(ProblemError, match="duplicate trainee"):
        Problem(1, ("t", "t"), {})
    with pytest.raises(ProblemError, match="capacity"):
        Problem(1, ("t",), {"m": -2})


@pytest.mark.parametrize(
    "text", ["", "{", "[1, 2", "{'rounds': 1}", "NaN", "\xff", "[" * 100_000 + "]" * 100_000]
)
def test_malformed_json(text):
    with pytest.raises(ProblemError):
        problem_from_json(text)


# --------------------------------------------------------------------------- CLI


def run_main(capsys, argv):
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_main_prints_schedule(tmp_path, capsys):
    path = tmp_path / "p.json"
    path.write_text(json.dumps(EXAMPLE))
    code, out, err = run_main(capsys, [str(path)])
    assert code == 0 and err == ""
    assert json.loads(out) == solve(problem_from_dict(EXAMPLE)).to_json_dict()


@pytest.mark.parametrize(("data", "message"), BAD_INPUTS[::3])
def test_main_bad_input_exits_2_with_one_line(tmp_path, capsys, data, message):
    path = tmp_path / "p.json"
    path.write_text(json.dumps(data))
    code, out, err = run_main(capsys, [str(path)])
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("error: ") and message in err


@pytest.mark.parametrize(
    ("content", "message"), [(None, "cannot read"), ("{oops", "invalid JSON"), (b"\xff\xfe", "")]
)
def test_main_unreadable_or_malformed_file(tmp_path, capsys, content, message):
    path = tmp_path / "p.json"
    if isinstance(content, str):
        path.write_text(content)
    elif isinstance(content, bytes):
        path.write_bytes(content)
    code, out, err = run_main(capsys, [str(path)])
    assert code == 2 and out == "" and err.count("\n") == 1 and message in err


def test_main_directory_and_usage(tmp_path, capsys):
    assert run_main(capsys, [str(tmp_path)])[0] == 2
    assert run_main(capsys, [])[0] == 2
    assert run_main(capsys, ["a", "b"])[0] == 2


def test_module_entry_point_in_subprocess(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"rounds": -3, "mentors": [], "trainees": []}')
    proc = subprocess.run(
        [sys.executable, "-m", "mentorship.matching", str(bad)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr


def test_solve_matching_command_prints_the_schedule_and_fails_with_status_2(tmp_path):
    good = tmp_path / "p.json"
    good.write_text(json.dumps(EXAMPLE))
    out = StringIO()
    call_command("solve_matching", str(good), stdout=out)
    assert json.loads(out.getvalue())["count"] == 1
    with pytest.raises(CommandError) as err:
        call_command("solve_matching", str(tmp_path / "missing.json"))
    assert err.value.returncode == 2 and "cannot read" in str(err.value)


# --------------------------------------------------------------------------- colouring


@settings(max_examples=150, deadline=None)
@given(
    edges=st.lists(st.tuples(st.integers(0, 5), st.integers(0, 5)), max_size=40),
    extra=st.integers(0, 2),
)
def test_colour_bipartite_uses_at_most_max_degree_colours(edges, extra):
    degree = Counter([("L", a) for a, _ in edges] + [("R", b) for _, b in edges])
    colours = max(degree.values(), default=0) + extra
    result = colour_bipartite(edges, colours)
    assert len(result) == len(edges)
    assert all(0 <= c < colours for c in result)
    used = Counter()
    for (a, b), c in zip(edges, result, strict=True):
        used["L", a, c] += 1
        used["R", b, c] += 1
    assert all(n == 1 for n in used.values())


def test_colour_bipartite_rejects_too_few_colours():
    with pytest.raises(ValueError, match="exceeds"):
        colour_bipartite([(0, 0), (0, 1)], 1)
    assert colour_bipartite([], 0) == []


def test_assign_rounds_fills_exactly_r_rounds_when_tight():
    # Complete bipartite K_{4,4} with capacity 1 and 4 rounds: a perfect Latin square.
    pairs = [(f"t{i}", f"m{j}") for i in range(4) for j in range(4)]
    meetings = assign_rounds(pairs, {f"m{j}": 1 for j in range(4)}, 4)
    assert len(meetings) == 16 and {m.round for m in meetings} == {0, 1, 2, 3}
    p = Problem(4, tuple(f"t{i}" for i in range(4)), {f"m{j}": 1 for j in range(4)})
    check_rules(p, Schedule(4, p.trainees, tuple(meetings), 0))


def test_assign_rounds_rejects_infeasible_sets():
    with pytest.raises(ProblemError, match="rounds"):
        assign_rounds([("t", "a"), ("t", "b")], {"a": 1, "b": 1}, 1)
    with pytest.raises(ProblemError, match="capacity"):
        assign_rounds([("t", "a"), ("u", "a")], {"a": 1}, 1)
    with pytest.raises(ProblemError, match="twice"):
        assign_rounds([("t", "a"), ("t", "a")], {"a": 1}, 2)
    with pytest.raises(ProblemError, match="unknown mentor"):
        assign_rounds([("t", "a")], {}, 2)


@settings(max_examples=100, deadline=None)
@given(data=st.data())
def test_assign_rounds_places_every_feasible_set(data):
    p = data.draw(problems())
    # Any subset respecting the degree bounds must be placeable in p.rounds rounds.
    pairs = [(t, m) for t in p.trainees for m in p.mentors if data.draw(st.booleans())]
    deg_t = Counter(t for t, _ in pairs)
    deg_m = Counter(m for _, m in pairs)
    pairs = [
        (t, m) for t, m in pairs if deg_t[t] <= p.rounds and deg_m[m] <= p.mentors[m] * p.rounds
    ]
    meetings = assign_rounds(pairs, p.mentors, p.rounds)
    assert sorted((m.trainee, m.mentor) for m in meetings) == sorted(pairs)
    check_rules(
        Problem(p.rounds, p.trainees, p.mentors), Schedule(p.rounds, p.trainees, tuple(meetings), 0)
    )


# --------------------------------------------------------------------------- optimality


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problem=problems())
def test_solver_matches_milp_reference(problem):
    schedule = solve(problem)
    check_rules(problem, schedule)
    assert triple(problem, schedule) == milp_reference(problem)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problem=problems(max_t=3, max_m=3, max_cap=2, max_rounds=2, forbid_weight=5))
def test_solver_matches_brute_force_with_literal_fairness(problem):
    schedule = solve(problem)
    check_rules(problem, schedule)
    assert literal_key(problem, schedule) == brute_force_reference(problem)


def test_meeting_is_a_plain_value():
    assert Meeting(0, "t", "m") == Meeting(round=0, trainee="t", mentor="m")
