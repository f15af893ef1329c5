"""Admin of listening requests and their review (holders of listening.review_requests only)."""
