"""Admin of interview slots, bookings, groups and places (holders of listening.review_requests only)."""
