# Requests and their review (admin_requests); slots, bookings and groups (admin_booking).
from . import admin_booking, admin_requests  # noqa: F401
