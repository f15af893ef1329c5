"""The career lunch: rotations, round tables, seats and their waitlists, its grid, host and
staff pages. A package of events (its models live in `events/models.py` with their tables)
that plugs in through `events/hooks.py`, as Blood Buddies does: the events core never names
it. Services in `services.py`, reads in `selectors.py`, emails in `notices.py`, a host's duty
on their agenda in `hosting.py`; `apps.py` registers the hooks."""
