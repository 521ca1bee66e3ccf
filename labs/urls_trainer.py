"""Trainer URLs of labs, under /labos/formateur/ (a slug no lab may take)."""

from django.urls import path

from labs.views import trainer as views

P = "formateur/"
L = "formateur/labos/<slug:slug>/"

urlpatterns = [
    path(P, views.dashboard, name="trainer_dashboard"),
    path(f"{P}etape/<int:step_id>/", views.lab_for_step, name="authoring_lab_for_step"),
    path(f"{L}", views.lab_edit, name="authoring_lab"),
    path(f"{L}criteres/", views.criterion_add, name="authoring_criterion_add"),
    path(f"{L}essai/", views.rubric_try, name="authoring_rubric_try"),
    path(f"{P}criteres/<int:pk>/", views.criterion_edit, name="authoring_criterion_edit"),
    path(f"{P}criteres/<int:pk>/supprimer/", views.criterion_delete, name="authoring_criterion_delete"),
    path(f"{P}criteres/<int:pk>/deplacer/<str:direction>/", views.criterion_move, name="authoring_criterion_move"),
    path(f"{L}tentatives/", views.submissions, name="trainer_submissions"),
    path(f"{L}recorrection/", views.regrade, name="trainer_regrade"),
    path(f"{L}recorrection/etat/", views.regrade_status, name="trainer_regrade_status"),
    path(f"{L}statistiques/", views.analytics, name="trainer_analytics"),
    path(f"{P}tentatives/<int:pk>/", views.submission_review, name="trainer_submission"),
    path(f"{P}tentatives/<int:pk>/correction/", views.submission_override_view, name="trainer_submission_override"),
    path(f"{P}tentatives/<int:pk>/relue/", views.submission_reviewed_view, name="trainer_submission_reviewed"),
    path(f"{P}tentatives/<int:pk>/<str:kind>/", views.submission_media, name="trainer_submission_media"),
    path(f"{P}regles/", views.policy_rules, name="trainer_policy_rules"),
    path(f"{P}regles/tester/", views.policy_test, name="trainer_policy_test"),
    path(f"{P}regles/<int:pk>/", views.policy_rule_edit, name="trainer_policy_rule_edit"),
    path(f"{P}regles/<int:pk>/desactiver/", views.policy_rule_deactivate_view, name="trainer_policy_rule_deactivate"),
]
