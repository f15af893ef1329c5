"""Who may open each URL of interviews, groups and the facilitator's day, and the admin pages
of slots, bookings, groups and places: {url_name: {role: (GET answer, POST answer)}}.

Roles: anonymous · requester (accepted for an interview and a group, booked in the
facilitator's slot, placed in their group) · other_member (signed in, no request) ·
facilitator (of the requester's slot and group) · other_facilitator (of another slot) ·
staff_no_perm · superuser_no_perm · reviewer (staff holding listening.review_requests only).

Answers: 200 · 302 (done, or refused with a message) · 403 · 404 · 405 · 409 (refused on the
page: "just taken", or "you already have an interview — move it?") · "log" (a redirect to a
login page). Path values come from the world in test_booking_access.py: `slot` a free slot,
`group` an open group the requester is not in, `booking` the requester's booking.
"""

ROLES = [
    "anonymous",
    "requester",
    "other_member",
    "facilitator",
    "other_facilitator",
    "staff_no_perm",
    "superuser_no_perm",
    "reviewer",
]


def _row(get: str, post: str) -> dict[str, tuple[str, str]]:
    gets, posts = get.split(), post.split()
    assert len(gets) == len(posts) == len(ROLES)
    return {role: (g, p) for role, g, p in zip(ROLES, gets, posts, strict=True)}


#        anonymous requester other_member facilitator other_facilitator staff superuser reviewer
ROWS: dict[str, dict[str, tuple[str, str]]] = {
    "listening:interviews": _row(
        "log 200 200 200 200 200 200 200",
        "log 405 405 405 405 405 405 405",
    ),
    "listening:interview_book": _row(
        "log 405 405 405 405 405 405 405",
        "log 409 302 302 302 302 302 302",
    ),
    "listening:interview_cancel": _row(
        "log 405 405 405 405 405 405 405",
        "log 302 302 302 302 302 302 302",
    ),
    "listening:groups": _row(
        "log 200 200 200 200 200 200 200",
        "log 405 405 405 405 405 405 405",
    ),
    "listening:group_join": _row(
        "log 405 405 405 405 405 405 405",
        "log 302 302 302 302 302 302 302",
    ),
    "listening:group_leave": _row(
        "log 405 405 405 405 405 405 405",
        "log 302 302 302 302 302 302 302",
    ),
    "listening:facilitator": _row(
        "log 404 404 200 200 404 404 404",
        "log 405 405 405 405 405 405 405",
    ),
    "listening:facilitator_held": _row(
        "log 405 405 405 405 405 405 405",
        "log 404 404 302 404 404 404 404",
    ),
    "listening:facilitator_missed": _row(
        "log 405 405 405 405 405 405 405",
        "log 404 404 302 404 404 404 404",
    ),
    # admin: only the reviewer; superusers and staff without the permission see nothing
    "admin:listening_interviewslot_changelist": _row(
        "log log log log log 403 403 200",
        "log log log log log 403 403 200",
    ),
    "admin:listening_interviewslot_add": _row(
        "log log log log log 403 403 200",
        "log log log log log 403 403 200",
    ),
    "admin:listening_interviewslot_change": _row(
        "log log log log log 403 403 200",
        "log log log log log 403 403 200",
    ),
    "admin:listening_interviewslot_generate": _row(
        "log log log log log 403 403 200",
        "log log log log log 403 403 200",
    ),
    "admin:listening_interviewbooking_changelist": _row(
        "log log log log log 403 403 200",
        "log log log log log 403 403 200",
    ),
    "admin:listening_interviewbooking_change": _row(
        "log log log log log 403 403 200",
        "log log log log log 403 403 403",
    ),
    "admin:listening_belonginggroup_changelist": _row(
        "log log log log log 403 403 200",
        "log log log log log 403 403 200",
    ),
    "admin:listening_belonginggroup_add": _row(
        "log log log log log 403 403 200",
        "log log log log log 403 403 200",
    ),
    "admin:listening_belonginggroup_change": _row(
        "log log log log log 403 403 200",
        "log log log log log 403 403 200",
    ),
    "admin:listening_groupplace_changelist": _row(
        "log log log log log 403 403 200",
        "log log log log log 403 403 200",
    ),
    "admin:listening_groupplace_change": _row(
        "log log log log log 403 403 200",
        "log log log log log 403 403 403",
    ),
    "admin:listening_interviewbooking_add": _row(
        "log log log log log 403 403 403",
        "log log log log log 403 403 403",
    ),
    "admin:listening_groupplace_add": _row(
        "log log log log log 403 403 403",
        "log log log log log 403 403 403",
    ),
}
