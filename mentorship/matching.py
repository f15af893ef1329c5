"""Exact scheduler for speed-mentoring sessions ("Blood Buddies").

A session has ``rounds`` rounds.  In each round every trainee meets at most one mentor and
every mentor meets at most ``capacity`` trainees (a small table).  A trainee-mentor pair
meets at most once, and never if the pair is *forbidden* (conflict of interest, same unit).

``scores`` rate how desirable a pair is: a non-negative integer computed by the web layer
from both sides' stated preferences (higher = better match, unlisted pairs score 0).  The
scheduler only adds them up; what they mean is decided elsewhere.

The objective is lexicographic:

1. the most meetings;
2. the fairest spread: as many trainees as possible get a first meeting, then a second, and
   so on.  We minimise ``sum(d * (d + 1) / 2)`` over trainees (``d`` = the trainee's number
   of meetings).  With the count fixed, the trainees' degree vectors of maximum flows form
   an M-convex set, on which minimising a strictly convex symmetric separable function is
   the same as the "first meetings first" order (Frank & Murota, decreasingly minimal
   elements), so the two readings agree here;
3. the highest total score.

Method (exact, no greedy step):

* :func:`select_meetings` solves a min-cost max-flow, source -> trainee -> mentor -> sink.
  Each trainee has up to ``rounds`` parallel unit arcs from the source with costs
  ``W, 2W, 3W, ...`` so ``d`` meetings cost ``W * d(d+1)/2`` (convex, so cheaper arcs fill
  first); pair arcs cost ``max_score - score``; a mentor may take ``capacity * rounds``
  meetings in total.  ``W`` exceeds any achievable total score, so fairness dominates score.
  Rounds are ignored here; that is safe because of the next step.
* :func:`assign_rounds` puts the chosen meetings into rounds.  Splitting a mentor of
  capacity ``c`` into ``c`` "tables" of at most ``rounds`` meetings each gives a bipartite
  graph of maximum degree <= ``rounds``, which by Koenig's edge-colouring theorem always has
  a proper colouring with ``rounds`` colours (= rounds).  So the flow optimum is feasible.
"""

from __future__ import annotations

import json
import sys
from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from ortools.graph.python.min_cost_flow import SimpleMinCostFlow

_INT64_MAX = 2**63 - 1
_MAX_SCORE = 2**40  # keeps numpy int64 sums exact; the real bound is the overflow check


class ProblemError(ValueError):
    """The problem description is invalid; the message names the offending item."""


@dataclass(frozen=True)
class Meeting:
    """``trainee`` sits at ``mentor``'s table in ``round`` (0-based)."""

    round: int
    trainee: str
    mentor: str


@dataclass(frozen=True)
class Problem:
    """A validated scheduling problem.

    ``mentors`` maps mentor id -> capacity (trainees per round); ``scores`` maps
    ``(trainee, mentor)`` -> score; ``forbidden`` holds ``(trainee, mentor)`` pairs.
    """

    rounds: int
    trainees: tuple[str, ...]
    mentors: Mapping[str, int]
    scores: Mapping[tuple[str, str], int] = field(default_factory=dict)
    forbidden: frozenset[tuple[str, str]] = frozenset()

    def __post_init__(self) -> None:
        _check_count(self.rounds, "rounds")
        if len(set(self.trainees)) != len(self.trainees):
            dup = next(t for t, n in Counter(self.trainees).items() if n > 1)
            raise ProblemError(f"trainees: duplicate trainee id {dup!r}")
        for m, cap in self.mentors.items():
            _check_count(cap, f"mentor {m!r}: capacity")
        known = set(self.trainees)
        for (t, m), s in self.scores.items():
            _check_pair(t, m, known, self.mentors, "score")
            _check_count(s, f"score for ({t!r}, {m!r})")
        for t, m in self.forbidden:
            _check_pair(t, m, known, self.mentors, "forbidden pair")


@dataclass(frozen=True)
class Schedule:
    """The solver's answer; ``meetings`` are sorted by (round, mentor, trainee)."""

    rounds: int
    trainees: tuple[str, ...]
    meetings: tuple[Meeting, ...]
    total_score: int

    @property
    def count(self) -> int:
        return len(self.meetings)

    @property
    def fairness(self) -> int:
        """``sum(d * (d + 1) // 2)`` over trainees; lower is fairer (objective tier 2)."""
        per = Counter(m.trainee for m in self.meetings)
        return sum(d * (d + 1) // 2 for d in per.values())

    def unmatched_rounds(self) -> dict[str, list[int]]:
        """Trainee -> sorted rounds without a meeting (fully booked trainees omitted)."""
        busy: dict[str, set[int]] = defaultdict(set)
        for m in self.meetings:
            busy[m.trainee].add(m.round)
        out = {}
        for t in self.trainees:
            free = [r for r in range(self.rounds) if r not in busy[t]]
            if free:
                out[t] = free
        return out

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "meetings": [
                {"round": m.round, "trainee": m.trainee, "mentor": m.mentor} for m in self.meetings
            ],
            "count": self.count,
            "total_score": self.total_score,
            "unmatched_rounds": self.unmatched_rounds(),
        }


# --------------------------------------------------------------------------- validation


def _check_count(value: object, what: str) -> int:
    # bool is an int subclass but `true` is surely a mistake in a count.
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ProblemError(f"{what} must be a non-negative integer, got {_short(value)}")
    return value


def _check_pair(t: object, m: object, trainees: Any, mentors: Any, what: str) -> None:
    if not isinstance(t, str) or t not in trainees:
        raise ProblemError(f"{what}: unknown trainee id {_short(t)}")
    if not isinstance(m, str) or m not in mentors:
        raise ProblemError(f"{what}: unknown mentor id {_short(m)}")


def _short(value: object) -> str:
    text = json.dumps(value) if isinstance(value, str | int | float | None) else repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _get(obj: object, key: str, where: str) -> Any:
    if not isinstance(obj, dict):
        raise ProblemError(f"{where}: expected a JSON object, got {_short(obj)}")
    if key not in obj:
        raise ProblemError(f"{where}: missing key {key!r}")
    return obj[key]


def _list(value: object, where: str) -> list[Any]:
    if not isinstance(value, list):
        raise ProblemError(f"{where}: expected a list, got {_short(value)}")
    return value


def _ids(items: list[Any], kind: str) -> list[str]:
    ids: list[str] = []
    seen: set[str] = set()
    for i, item in enumerate(items):
        ident = _get(item, "id", f"{kind}s[{i}]")
        if not isinstance(ident, str) or not ident:
            raise ProblemError(f"{kind}s[{i}]: id must be a non-empty string, got {_short(ident)}")
        if ident in seen:
            raise ProblemError(f"{kind}s[{i}]: duplicate {kind} id {ident!r}")
        seen.add(ident)
        ids.append(ident)
    return ids


def problem_from_dict(data: object) -> Problem:
    """Validate decoded JSON (see the module contract) into a :class:`Problem`.

    ``scores`` and ``forbidden`` may be omitted (no scores, nothing forbidden).
    """
    rounds = _check_count(_get(data, "rounds", "problem"), "rounds")
    assert isinstance(data, dict)
    mentor_items = _list(_get(data, "mentors", "problem"), "mentors")
    trainees = _ids(_list(_get(data, "trainees", "problem"), "trainees"), "trainee")
    mentors = dict.fromkeys(_ids(mentor_items, "mentor"), 0)
    for i, (item, m) in enumerate(zip(mentor_items, mentors, strict=True)):
        mentors[m] = _check_count(_get(item, "capacity", f"mentors[{i}]"), f"mentors[{i}].capacity")
    known = set(trainees)
    scores: dict[tuple[str, str], int] = {}
    for i, row in enumerate(_list(data.get("scores", []), "scores")):
        if not isinstance(row, list) or len(row) != 3:
            raise ProblemError(f"scores[{i}]: expected [trainee, mentor, score], got {_short(row)}")
        t, m, s = row
        _check_pair(t, m, known, mentors, f"scores[{i}]")
        if (t, m) in scores:
            raise ProblemError(f"scores[{i}]: duplicate score for pair ({t!r}, {m!r})")
        scores[t, m] = _check_count(s, f"scores[{i}]: score")
    forbidden: set[tuple[str, str]] = set()
    for i, row in enumerate(_list(data.get("forbidden", []), "forbidden")):
        if not isinstance(row, list) or len(row) != 2:
            raise ProblemError(f"forbidden[{i}]: expected [trainee, mentor], got {_short(row)}")
        _check_pair(row[0], row[1], known, mentors, f"forbidden[{i}]")
        forbidden.add((row[0], row[1]))
    return Problem(rounds, tuple(trainees), mentors, scores, frozenset(forbidden))


def problem_from_json(text: str | bytes) -> Problem:
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as exc:  # JSONDecodeError, UnicodeDecodeError, ...
        raise ProblemError(f"invalid JSON: {exc}") from None
    return problem_from_dict(data)


def load_problem(path: str | Path) -> Problem:
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise ProblemError(f"cannot read problem file {str(path)!r}: {exc.strerror}") from None
    return problem_from_json(raw)


# --------------------------------------------------------------------------- solving


def select_meetings(problem: Problem) -> list[tuple[str, str]]:
    """Choose the optimal set of (trainee, mentor) meetings, ignoring round placement.

    Every unforbidden pair with a mentor of capacity > 0 is an arc, score 0 or not: zero-score
    pairs still add meetings, and merging them would lose the "each pair at most once" rule.
    """
    trainees, mentor_ids = problem.trainees, list(problem.mentors)
    n_t, n_m = len(trainees), len(mentor_ids)
    # Clip to what can be used (a mentor meets each trainee at most once), keeping int64 safe.
    totals = [min(problem.mentors[m] * problem.rounds, n_t) for m in mentor_ids]
    rounds = min(problem.rounds, n_m)  # max meetings per trainee
    if rounds == 0 or n_t == 0:
        return []
    t_index = {t: i for i, t in enumerate(trainees)}
    m_index = {m: j for j, m in enumerate(mentor_ids)}
    allowed = np.ones((n_t, n_m), dtype=bool)
    allowed[:, np.array(totals) == 0] = False
    for t, m in problem.forbidden:
        allowed[t_index[t], m_index[m]] = False
    if max(problem.scores.values(), default=0) > _MAX_SCORE:
        raise ProblemError(f"scores: values above {_MAX_SCORE} are not supported")
    score = np.zeros((n_t, n_m), dtype=np.int64)
    for (t, m), s in problem.scores.items():
        score[t_index[t], m_index[m]] = s
    pair_t, pair_m = np.nonzero(allowed)
    if pair_t.size == 0:
        return []
    pair_score = score[pair_t, pair_m]
    max_score = int(pair_score.max())

    # W must exceed any achievable total score: a pair meets once, a trainee <= rounds times.
    bound = min(int(pair_score.sum()), rounds * n_t * max_score, sum(totals) * max_score)
    weight = bound + 1
    per_trainee = np.minimum(allowed.sum(axis=1), rounds)  # useful source arcs per trainee
    n_nodes = n_t + n_m + 2
    worst_cost = (
        weight * sum(k * (k + 1) // 2 for k in per_trainee.tolist()) + max_score * pair_t.size
    )
    if (weight * rounds + 1) * (n_nodes + 1) > _INT64_MAX // 4 or worst_cost > _INT64_MAX // 4:
        raise ProblemError("scores: values too large to optimise exactly in 64-bit arithmetic")

    source, sink = 0, n_nodes - 1
    src_heads = np.repeat(np.arange(1, n_t + 1), per_trainee)
    starts = np.repeat(np.cumsum(per_trainee) - per_trainee, per_trainee)
    kth = np.arange(src_heads.size) - starts + 1  # 1..k for each trainee
    tails = np.concatenate(
        [np.zeros(src_heads.size, np.int64), pair_t + 1, np.arange(n_m) + n_t + 1]
    )
    heads = np.concatenate([src_heads, pair_m + n_t + 1, np.full(n_m, sink)])
    capacity = np.concatenate([np.ones(src_heads.size + pair_t.size, np.int64), totals])
    cost = np.concatenate([kth * weight, max_score - pair_score, np.zeros(n_m, np.int64)])
    flow = SimpleMinCostFlow()
    arcs = flow.add_arcs_with_capacity_and_unit_cost(
        tails.astype(np.int32), heads.astype(np.int32), capacity, cost
    )
    supply = int(src_heads.size)
    flow.set_nodes_supplies(np.array([source, sink], np.int32), np.array([supply, -supply]))
    status = flow.solve_max_flow_with_min_cost()
    if status != flow.OPTIMAL:
        raise RuntimeError(f"min-cost flow failed with status {status}")
    pair_arcs = np.asarray(arcs)[src_heads.size : src_heads.size + pair_t.size]
    chosen = np.nonzero(flow.flows(pair_arcs) > 0)[0]
    return [(trainees[pair_t[i]], mentor_ids[pair_m[i]]) for i in chosen.tolist()]


def colour_bipartite(edges: Sequence[tuple[Hashable, Hashable]], colours: int) -> list[int]:
    """Properly colour a bipartite multigraph's edges with ``colours`` colours.

    ``edges`` are (left node, right node); the two sides are separate namespaces.  Requires
    max degree <= ``colours`` (raises ``ValueError`` otherwise); Koenig's theorem says that
    always suffices.  Returns each edge's colour in ``range(colours)``.

    Alternating-path (Kempe chain) method: for edge (u, v) take a colour ``a`` free at u and
    ``b`` free at v.  If ``a`` is busy at v, swap a/b along the a/b path starting at v; in a
    bipartite graph that path cannot reach u, so afterwards ``a`` is free at both ends.
    Unlike peeling maximum matchings, this never needs more than max-degree colours.
    """
    left: dict[Hashable, int] = {}
    right: dict[Hashable, int] = {}
    ends = [(left.setdefault(a, len(left)), right.setdefault(b, len(right))) for a, b in edges]
    ends = [(u, v + len(left)) for u, v in ends]
    degree = Counter(x for e in ends for x in e)
    if degree and max(degree.values()) > colours:
        raise ValueError(f"max degree {max(degree.values())} exceeds {colours} colours")
    at = [[-1] * colours for _ in range(len(left) + len(right))]  # at[node][c] = edge or -1
    colour = [-1] * len(ends)
    for e, (u, v) in enumerate(ends):
        a, b = at[u].index(-1), at[v].index(-1)
        if at[v][a] != -1:
            if at[u][b] == -1:
                a = b
            else:
                path, node, c = [], v, a
                while (f := at[node][c]) != -1:
                    path.append(f)
                    x, y = ends[f]
                    node = y if node == x else x
                    c = b if c == a else a
                for f in path:
                    for x in ends[f]:
                        at[x][colour[f]] = -1
                for f in path:
                    colour[f] = b if colour[f] == a else a
                    for x in ends[f]:
                        at[x][colour[f]] = f
        colour[e] = a
        at[u][a] = at[v][a] = e
    return colour


def assign_rounds(
    pairs: Iterable[tuple[str, str]], capacities: Mapping[str, int], rounds: int
) -> list[Meeting]:
    """Place chosen (trainee, mentor) meetings into rounds ``0 .. rounds-1``.

    Public so the web app can re-place an edited set of meetings ("repair").  Possible iff
    no pair repeats, each trainee has <= ``rounds`` meetings and each mentor <=
    ``capacity * rounds``; otherwise raises :class:`ProblemError`.  Mentor ``m`` is split
    into ``min(capacity, degree)`` tables dealt its meetings round-robin, so every table has
    <= ``rounds`` meetings, then :func:`colour_bipartite` colours (round = colour).  Uses
    only as many rounds as the busiest trainee or table needs, so meetings fill early rounds.
    Result sorted by (round, mentor, trainee).
    """
    pairs = sorted(pairs, key=lambda p: (p[1], p[0]))
    if len(set(pairs)) != len(pairs):
        raise ProblemError("meetings: a trainee-mentor pair is listed twice")
    by_mentor: dict[str, list[str]] = defaultdict(list)
    for t, m in pairs:
        by_mentor[m].append(t)
    for t, d in Counter(t for t, _ in pairs).items():
        if d > rounds:
            raise ProblemError(f"trainee {t!r}: {d} meetings do not fit in {rounds} rounds")
    edges = []
    for m, ts in by_mentor.items():
        if m not in capacities:
            raise ProblemError(f"meetings: unknown mentor id {m!r}")
        cap = capacities[m]
        if len(ts) > cap * rounds:
            raise ProblemError(f"mentor {m!r}: {len(ts)} meetings exceed capacity {cap} x {rounds}")
        tables = min(cap, len(ts))
        edges += [(t, (m, i % tables)) for i, t in enumerate(ts)]
    degree = Counter(x for t, table in edges for x in (("t", t), ("m", table)))
    colours = colour_bipartite(edges, max(degree.values(), default=0))
    meetings = [Meeting(c, t, table[0]) for (t, table), c in zip(edges, colours, strict=True)]
    return sorted(meetings, key=lambda x: (x.round, x.mentor, x.trainee))


def solve(problem: Problem) -> Schedule:
    """Optimal schedule for ``problem`` (see the module docstring for the objective)."""
    meetings = assign_rounds(select_meetings(problem), problem.mentors, problem.rounds)
    total = sum(problem.scores.get((m.trainee, m.mentor), 0) for m in meetings)
    return Schedule(problem.rounds, problem.trainees, tuple(meetings), total)


# --------------------------------------------------------------------------- CLI


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m mentorship.matching PROBLEM.json``: print the schedule as JSON.

    Exit status 2 with a one-line message on stderr for any bad input.
    """
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 1 or args[0].startswith("-"):
        print("usage: python -m mentorship.matching PROBLEM.json", file=sys.stderr)
        return 2
    try:
        schedule = solve(load_problem(args[0]))
    except ProblemError as exc:
        print("error: " + " ".join(str(exc).split()), file=sys.stderr)
        return 2
    sys.stdout.write(json.dumps(schedule.to_json_dict()) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
