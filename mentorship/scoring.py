"""How much a trainee-mentor pair is worth, and which pairs must never meet. Pure: no Django.

The scheduler (`matching.py`) only adds scores up; their meaning lives here:

- a trainee's ranked mentors: rank 1..5 -> 50, 40, 30, 20, 10 points;
- plus 5 points per career path shared by the trainee's confirmed interests and the mentor's
  expertise (eleven paths, so at most 55: a first choice still outweighs any overlap of an
  unranked mentor, and overlap breaks ties between equally ranked ones).

The scheduler's objective puts the number of meetings and the fair spread first; scores
only choose among schedules that are equal on both.

Forbidden pairs: the same institution (compared case- and space-insensitively, empty never
matches), or the trainee's institution on the mentor's "do not match me with" list.
"""

from collections.abc import Iterable

RANK_POINTS = {1: 50, 2: 40, 3: 30, 4: 20, 5: 10}
MAX_RANKED = len(RANK_POINTS)
SHARED_PATH_POINTS = 5


def pair_score(*, rank: int | None, shared_paths: int) -> int:
    return RANK_POINTS.get(rank or 0, 0) + SHARED_PATH_POINTS * shared_paths


def institution_key(name: str) -> str:
    """ "  Lakeside  Cancer institute " and "lakeside cancer Institute" are one institution."""
    return " ".join(name.split()).casefold()


def institution_list(text: str) -> list[str]:
    """The mentor's excluded institutions, one per line (or separated by semicolons)."""
    parts = (part for line in text.splitlines() for part in line.split(";"))
    seen: dict[str, str] = {}
    for part in parts:
        name = " ".join(part.split())
        if name and institution_key(name) not in seen:
            seen[institution_key(name)] = name
    return list(seen.values())


def is_forbidden(
    *, trainee_institution: str, mentor_institution: str, mentor_excludes: Iterable[str]
) -> bool:
    trainee = institution_key(trainee_institution)
    if not trainee:
        return False
    if trainee == institution_key(mentor_institution):
        return True
    return trainee in {institution_key(name) for name in mentor_excludes}
