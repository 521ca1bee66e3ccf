from django.urls import path

from provenance import views

app_name = "provenance"

urlpatterns = [
    path("", views.verify, name="verify"),
    path("exemples/<str:name>", views.sample, name="sample"),
]
