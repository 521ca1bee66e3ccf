from funding.urls_actions import urlpatterns as action_patterns
from funding.urls_dashboard import urlpatterns as dashboard_patterns

app_name = "funding"
urlpatterns = action_patterns + dashboard_patterns
