"""The "For you" rule (events/for_you.py): pure, no database."""

from hypothesis import given
from hypothesis import strategies as st

from events.for_you import for_you_match, for_you_rank

PATHS = {
    "medical-education": "Medical education",
    "phd-research": "PhD / research careers",
    "clinical-malignant": "Clinical hematology — malignant",
    "industry": "Industry",
}
STAGES = ["medical_student", "resident", "fellow", "graduate_postdoc"]


def match(paths=(), audience=(), stage="fellow", interests=None):
    return for_you_match(paths=paths, audience=audience, stage=stage, interests=interests or {})


def test_a_shared_interest_is_named_in_the_reason():
    result = match(
        paths=["medical-education"], interests={"medical-education": "Medical education"}
    )

    assert (result.score, result.reason, result.is_open) == (
        2,
        "Matches your interest in medical education",
        True,
    )


def test_several_shared_interests_are_named_in_the_persons_order_keeping_capitals():
    interests = {slug: PATHS[slug] for slug in ("phd-research", "medical-education", "industry")}

    result = match(paths=["industry", "medical-education", "phd-research"], interests=interests)

    assert result.score == 6
    assert result.reason == (
        "Matches your interests in PhD / research careers, medical education and industry"
    )


def test_a_session_for_the_persons_stage_counts_and_says_so():
    result = match(audience=["fellow", "resident"], stage="fellow")

    assert (result.score, result.reason) == (1, "Meant for your career stage")


def test_a_session_for_other_stages_is_not_open_whatever_the_interests():
    result = match(
        paths=["industry"],
        audience=["resident"],
        stage="fellow",
        interests={"industry": "Industry"},
    )

    assert (result.score, result.reason, result.is_open) == (0, "", False)


def test_without_a_stage_only_sessions_open_to_everyone_are_open():
    assert match(audience=[], stage="").is_open
    assert not match(audience=["fellow"], stage="").is_open


def test_nothing_in_common_scores_zero_without_a_reason():
    assert (
        match(paths=["industry"], interests={"medical-education": "Medical education"}) == match()
    )


def test_rank_puts_better_matches_first_ties_in_order_and_closed_items_last():
    items = [
        ("closed", ["industry"], ["resident"]),
        ("plain", [], []),
        ("one", ["industry"], []),
        ("two", ["industry", "medical-education"], []),
        ("also one", ["medical-education"], []),
    ]
    interests = {"industry": "Industry", "medical-education": "Medical education"}

    ranked = for_you_rank(
        items,
        match=lambda item: for_you_match(
            paths=item[1], audience=item[2], stage="fellow", interests=interests
        ),
    )

    assert [item[0] for item, _ in ranked] == ["two", "one", "also one", "plain", "closed"]


slugs = st.lists(st.sampled_from(sorted(PATHS)), unique=True)
items = st.lists(
    st.tuples(slugs, st.lists(st.sampled_from(STAGES), unique=True, max_size=2)), max_size=12
)


@given(items=items, interests=slugs, stage=st.sampled_from(["", *STAGES]))
def test_rank_is_a_permutation_ordered_by_openness_then_score(items, interests, stage):
    wanted = {slug: PATHS[slug] for slug in interests}

    ranked = for_you_rank(
        list(enumerate(items)),
        match=lambda item: for_you_match(
            paths=item[1][0], audience=item[1][1], stage=stage, interests=wanted
        ),
    )

    assert sorted(index for (index, _), _ in ranked) == list(range(len(items)))
    keys = [(not m.is_open, -m.score, index) for (index, _), m in ranked]
    assert keys == sorted(keys)
    for _, m in ranked:
        assert (m.score > 0) == bool(m.reason)
        assert m.is_open or m.score == 0


@given(
    paths=slugs,
    audience=st.lists(st.sampled_from(STAGES), max_size=2),
    interests=slugs,
    extra=st.sampled_from(sorted(PATHS)),
    stage=st.sampled_from(STAGES),
)
def test_one_more_interest_never_lowers_a_score(paths, audience, interests, extra, stage):
    before = {slug: PATHS[slug] for slug in interests}
    after = {**before, extra: PATHS[extra]}

    assert (
        for_you_match(paths=paths, audience=audience, stage=stage, interests=after).score
        >= for_you_match(paths=paths, audience=audience, stage=stage, interests=before).score
    )
