from django.urls import path, register_converter
from django.urls.converters import SlugConverter

from labs.models import RESERVED_LAB_SLUGS
from labs.views import learner as views


class LabSlugConverter(SlugConverter):
    """A lab slug that never shadows the fixed first segments of the labs URLs (learner and trainer)."""

    reserved = RESERVED_LAB_SLUGS

    def to_python(self, value: str) -> str:
        if value in self.reserved:
            raise ValueError(value)  # no match: let the next pattern try
        return value


register_converter(LabSlugConverter, "lab")

urlpatterns = [
    path("etape/<int:step_id>/", views.lab_for_step, name="lab_for_step"),
    path("tentatives/<int:pk>/", views.submission_page, name="submission"),
    path("tentatives/<int:pk>/relancer/", views.submission_retry, name="submission_retry"),
    path("tentatives/<int:pk>/annuler/", views.submission_cancel, name="submission_cancel"),
    path("tentatives/<int:pk>/rendu-final/", views.submission_final, name="submission_final"),
    path("tentatives/<int:pk>/telecharger/", views.submission_download, name="submission_download"),
    path("tentatives/<int:pk>/<str:kind>/", views.submission_media, name="submission_media"),
    path("<lab:slug>/", views.lab_page, name="lab"),
    path("<lab:slug>/verifier/", views.lab_check, name="check"),
    path("<lab:slug>/envoyer/", views.lab_submit, name="submit"),
    path("<lab:slug>/comparer/", views.compare, name="compare"),
]
