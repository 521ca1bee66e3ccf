from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from academy import views, views_personal_data

auth_patterns = [
    path("connexion/", views.AcademyLoginView.as_view(), name="login"),
    path("deconnexion/", auth_views.LogoutView.as_view(), name="logout"),
    path("inscription/", views.signup, name="signup"),
    path("inscription/envoye/", views.signup_done, name="signup_done"),
    path("inscription/confirmer/<str:token>/", views.signup_confirm, name="signup_confirm"),
    path("profil/", views.profile, name="profile"),
    path("mes-donnees/", views_personal_data.my_data, name="my_data"),
    path("supprimer/", views_personal_data.account_delete, name="account_delete"),
    path("mot-de-passe/", views.AcademyPasswordChangeView.as_view(), name="password_change"),
    path("mot-de-passe/ok/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("mot-de-passe/oubli/", views.AcademyPasswordResetView.as_view(), name="password_reset"),
    path("mot-de-passe/oubli/envoye/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "mot-de-passe/nouveau/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("mot-de-passe/nouveau/ok/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("compte/", include(auth_patterns)),
    path("langue/", views.set_language, name="set_language"),
    path("notifications/", include("academy.notifications.urls")),
    path("cours/", include("courses.urls")),
    path("labos/", include("labs.urls")),
    path("financement/", include("funding.urls")),
    path("lti/", include("lti.urls")),
    path("communaute/", include("community.urls")),
    path("verifier-une-video/", include("provenance.urls")),
    path("admin/", admin.site.urls),
]

handler403 = "academy.views.permission_denied"
handler404 = "academy.views.page_not_found"
handler500 = "academy.views.server_error"
