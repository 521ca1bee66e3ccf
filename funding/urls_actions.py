"""URLs of the funding admin journey (the dashboard and exports are in urls_dashboard)."""

from django.urls import path

from funding.views import actions as views

urlpatterns = [
    path("entreprises/", views.company_list, name="company_list"),
    path("entreprises/nouvelle/", views.company_create, name="company_create"),
    path("entreprises/<int:pk>/", views.company_edit, name="company_edit"),
    path("actions/", views.action_list, name="action_list"),
    path("actions/nouvelle/", views.action_create, name="action_create"),
    path("actions/<int:pk>/", views.action_detail, name="action_detail"),
    path("actions/<int:pk>/modifier/", views.action_edit, name="action_edit"),
    path("actions/<int:pk>/journees/", views.action_days, name="action_days"),
    path("actions/<int:pk>/journees/ajouter/", views.action_day_add, name="action_day_add"),
    path("actions/<int:pk>/journees/generer/", views.action_days_generate, name="action_days_generate"),
    path("actions/<int:pk>/journees/<int:day_pk>/supprimer/", views.action_day_delete, name="action_day_delete"),
    path("actions/<int:pk>/participants/ajouter/", views.participant_add, name="participant_add"),
    path("actions/<int:pk>/presences/", views.attendance_grid, name="attendance_grid"),
    path("actions/<int:pk>/presences/plateforme/", views.attendance_derive, name="attendance_derive"),
    path("actions/<int:pk>/dossier/", views.dossier, name="dossier"),
    path("actions/<int:pk>/dossier/piece/", views.document_upload, name="document_upload"),
    path("actions/<int:pk>/liste-de-presence.pdf", views.pdf_attendance_sheet, name="pdf_attendance_sheet"),
    path("actions/<int:pk>/deposer/", views.action_mark_filed, name="action_mark_filed"),
    path("actions/<int:pk>/rembourser/", views.action_mark_reimbursed, name="action_mark_reimbursed"),
    path("participants/<int:pk>/", views.participant_edit, name="participant_edit"),
    path("participants/<int:pk>/statut/", views.participant_status, name="participant_status"),
    path("participants/<int:pk>/evaluation.pdf", views.pdf_evaluation_sheet, name="pdf_evaluation_sheet"),
    path("participants/<int:pk>/attestation.pdf", views.pdf_attestation, name="pdf_attestation"),
    path("pieces/<int:pk>/fichier/", views.document_file, name="document_file"),
]
