from .urls_booking import urlpatterns as booking_urls
from .urls_requests import urlpatterns as request_urls

app_name = "listening"

# Requests, review and the report (urls_requests); interviews, groups and the facilitator's
# day (urls_booking).
urlpatterns = request_urls + booking_urls
