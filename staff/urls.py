from .urls_checkin import urlpatterns as checkin_urls
from .urls_dashboard import urlpatterns as dashboard_urls
from .urls_door import urlpatterns as door_urls

app_name = "staff"

# The dashboard and its CSV (urls_dashboard); the door's check-in (urls_checkin); the door of
# the career lunch and of Blood Buddies (urls_door).
urlpatterns = dashboard_urls + checkin_urls + door_urls
