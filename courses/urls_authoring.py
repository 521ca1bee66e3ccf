"""Trainer authoring URLs, all under /cours/formateur/ (a segment the learner URLs reserve)."""

from django.urls import path, register_converter

from courses.views import authoring as views


class DirectionConverter:
    regex = "up|down"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(DirectionConverter, "updown")

P = "formateur/"
C = "formateur/cours/<slug:slug>/"

urlpatterns = [
    path(P, views.home, name="authoring_home"),
    path(f"{P}nouveau/", views.course_create, name="authoring_course_create"),
    path(f"{P}apercu-markdown/", views.markdown_preview, name="authoring_markdown_preview"),
    path(f"{C}", views.course_edit, name="authoring_course_edit"),
    path(f"{C}couverture/", views.course_cover, name="authoring_course_cover"),
    path(f"{C}programme/", views.outline, name="authoring_outline"),
    path(f"{C}programme/ordre/", views.reorder, name="authoring_reorder"),
    path(f"{C}publication/", views.publish, name="authoring_publish"),
    path(f"{C}modules/nouveau/", views.module_create, name="authoring_module_create"),
    path(f"{C}questions/", views.questions, name="authoring_questions"),
    path(f"{C}questions/nouvelle/", views.question_create, name="authoring_question_create"),
    path(f"{C}apercu/", views.preview, name="authoring_preview"),
    path(f"{C}apercu/etapes/<int:step_id>/", views.preview_step, name="authoring_preview_step"),
    path(f"{C}co-formateurs/", views.cotrainers, name="authoring_cotrainers"),
    path(f"{C}apprenants/", views.learners, name="authoring_learners"),
    path(f"{C}apprenants.csv", views.learners_csv, name="authoring_learners_csv"),
    path(f"{C}images/", views.image_upload, name="authoring_image_upload"),
    path(f"{P}modules/<int:module_id>/", views.module_edit, name="authoring_module_edit"),
    path(f"{P}modules/<int:module_id>/supprimer/", views.module_delete, name="authoring_module_delete"),
    path(f"{P}modules/<int:module_id>/deplacer/<updown:direction>/", views.module_move, name="authoring_module_move"),
    path(f"{P}modules/<int:module_id>/etapes/nouvelle/<str:kind>/", views.step_create, name="authoring_step_create"),
    path(f"{P}etapes/<int:step_id>/lecon/", views.lesson_edit, name="authoring_lesson_edit"),
    path(f"{P}etapes/<int:step_id>/video/", views.lesson_video, name="authoring_lesson_video"),
    path(f"{P}etapes/<int:step_id>/quiz/", views.quiz_edit, name="authoring_quiz_edit"),
    path(f"{P}etapes/<int:step_id>/supprimer/", views.step_delete, name="authoring_step_delete"),
    path(f"{P}etapes/<int:step_id>/deplacer/<updown:direction>/", views.step_move, name="authoring_step_move"),
    path(f"{P}questions/<int:question_id>/", views.question_edit, name="authoring_question_edit"),
    path(f"{P}questions/<int:question_id>/supprimer/", views.question_delete, name="authoring_question_delete"),
]
