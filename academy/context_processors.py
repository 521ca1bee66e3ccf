from django.conf import settings


def site(request):
    return {"SITE_NAME": "Academy", "DEBUG": settings.DEBUG}
