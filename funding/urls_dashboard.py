"""URLs of the funding dashboard and exports (the admin journey is in urls_actions)."""

from django.urls import path

from funding.views import dashboard, exports

urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    path("exports/", exports.export, name="export"),
]
