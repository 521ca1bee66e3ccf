from django.urls import path, register_converter
from django.urls.converters import SlugConverter

from courses.models import RESERVED_COURSE_SLUGS
from courses.views import learner as views


class CourseSlugConverter(SlugConverter):
    """A course slug that never shadows the app's fixed first segments."""

    reserved = RESERVED_COURSE_SLUGS

    def to_python(self, value: str) -> str:
        if value in self.reserved:
            raise ValueError(value)  # no match: let the next pattern try
        return value


register_converter(CourseSlugConverter, "course")

urlpatterns = [
    path("catalogue/", views.catalogue, name="catalogue"),
    path("mes-cours/", views.dashboard, name="dashboard"),
    path("attestations/<str:code>/pdf/", views.certificate_pdf, name="certificate_pdf"),
    path("attestations/verifier/<str:code>/", views.certificate_verify, name="certificate_verify"),
    path("images/<int:pk>/", views.lesson_image, name="image"),
    path("videos/<int:step_id>/", views.lesson_video, name="lesson_video"),
    path("<course:slug>/", views.course_detail, name="detail"),
    path("<course:slug>/couverture/", views.course_cover, name="cover"),
    path("<course:slug>/programme/", views.course_outline, name="outline"),
    path("<course:slug>/inscription/", views.course_enrol, name="enrol"),
    path("<course:slug>/desinscription/", views.course_unenrol, name="unenrol"),
    path("<course:slug>/inscriptions/", views.course_enrolments_admin, name="enrolments_admin"),
    path("<course:slug>/etapes/<int:step_id>/", views.step_page, name="step"),
    path("<course:slug>/etapes/<int:step_id>/terminer/", views.step_mark_complete, name="step_complete"),
    path("<course:slug>/etapes/<int:step_id>/presence/", views.step_heartbeat, name="step_heartbeat"),
    path("<course:slug>/etapes/<int:step_id>/nouvelle-tentative/", views.quiz_retry, name="quiz_retry"),
]
