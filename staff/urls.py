from .urls_checkin import urlpatterns as checkin_urls
from .urls_dashboard import urlpatterns as dashboard_urls

app_name = "staff"

# The dashboard and its CSV (urls_dashboard); the door's check-in (urls_checkin).
urlpatterns = dashboard_urls + checkin_urls
