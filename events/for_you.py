""" "For you": how well a session, a lunch table or a mentor suits a person, from the career
stage and interests in their profile. Pure (no Django import): the same rule ranks and marks
everything, is tested on its own, and nothing about the person leaves the server.

The rule, in order:

1. An item not open to the person's career stage (its audience names stages and theirs is
   not among them, or they have not said theirs) is *not open*: score 0, never ranked above
   an open item. Pages dim it; they do not hide it.
2. Each of the item's career paths that is among the person's interests counts 2.
3. An item meant for specific stages, theirs among them, counts 1 more (it was chosen for
   people like them); an item open to everyone counts nothing for the stage.
4. Ties keep the order the items came in (time order on the agenda).

The reason names the interests that matched, in the person's own order ("matches your
interest in medical education"), else the stage ("meant for your career stage").
"""

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")

INTEREST_POINTS = 2
STAGE_POINTS = 1


@dataclass(frozen=True)
class Match:
    score: int  # 0: nothing suits the person in particular
    reason: str  # what the page says ("" when the score is 0)
    is_open: bool  # False: the item is not open to the person's career stage


def _lower_first(name: str) -> str:
    """ "Medical education" -> "medical education"; a first word with capitals inside
    ("PhD / research careers") is kept as written."""
    first = name.split(" ", 1)[0]
    if first[1:] == first[1:].lower():
        return name[:1].lower() + name[1:]
    return name


def _joined(names: Sequence[str]) -> str:
    if len(names) == 1:
        return names[0]
    return ", ".join(names[:-1]) + " and " + names[-1]


def for_you_match(
    *,
    paths: Iterable[str],
    audience: Iterable[str],
    stage: str,
    interests: Mapping[str, str],
) -> Match:
    """`paths`: the item's career-path slugs; `audience`: the stages it is open to (empty:
    everyone); `stage`: the person's career stage ("" unknown); `interests`: the person's
    interests, slug -> name, in the order the page should name them."""
    audience = set(audience)
    is_open = not audience or (bool(stage) and stage in audience)
    if not is_open:
        return Match(score=0, reason="", is_open=False)
    item_paths = set(paths)
    shared = [name for slug, name in interests.items() if slug in item_paths]
    for_stage = bool(audience) and stage in audience
    score = INTEREST_POINTS * len(shared) + (STAGE_POINTS if for_stage else 0)
    if shared:
        noun = "interest" if len(shared) == 1 else "interests"
        reason = f"Matches your {noun} in {_joined([_lower_first(n) for n in shared])}"
    elif for_stage:
        reason = "Meant for your career stage"
    else:
        reason = ""
    return Match(score=score, reason=reason, is_open=True)


def for_you_rank(items: Iterable[T], *, match: Callable[[T], Match]) -> list[tuple[T, Match]]:
    """The items with their match, best first: open items by score, ties in the order given;
    items not open to the person last, in the order given."""
    scored = [(item, match(item)) for item in items]
    order = sorted(
        range(len(scored)),
        key=lambda i: (not scored[i][1].is_open, -scored[i][1].score, i),
    )
    return [scored[i] for i in order]
