from django.urls import path

from lti import views

app_name = "lti"
urlpatterns = [
    path("jwks/", views.jwks, name="jwks"),
    path("login/", views.oidc_login, name="login"),
    path("login/<uuid:registration_uuid>/", views.oidc_login, name="login_for"),
    path("launch/", views.launch, name="launch"),
    path("entrer/<str:token>/", views.enter, name="enter"),
    path("verifier/", views.check, name="check"),
    path("liens-profonds/", views.deep_link, name="deep_link"),
    path("canvas.json", views.canvas_config, name="canvas_config"),
    path("plateformes/", views.platform_list, name="platforms"),
    path("plateformes/nouvelle/", views.platform_edit, name="platform_new"),
    path("plateformes/<uuid:registration_uuid>/", views.platform_edit, name="platform_edit"),
    path("plateformes/cles/rotation/", views.keys_rotate_now, name="keys_rotate"),
    path("cours/", views.roster_courses, name="roster_courses"),
    path("cours/<slug:slug>/liste/", views.course_roster, name="course_roster"),
]
