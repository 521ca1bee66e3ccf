"""
WSGI config for academy project.

It exposes the WSGI callable as a module-level variable named ``application``.

For more information on this file, see
https://docs.djangoproject.com/en/5.2/howto/deployment/wsgi/
"""

import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "academy.settings")

application = get_wsgi_application()

# Load the prompt-reading pipelines now rather than on the first coach request (about 3 s, see
# labs.grading.language.pipelines); each web worker process loads them once.
from django.conf import settings  # noqa: E402

if settings.LANGUAGE_MODELS_PRELOAD:
    from labs.grading.language.pipelines import preload  # noqa: E402

    preload()


def keep_startup_objects_out_of_collections() -> None:
    """Take what the worker loaded at start out of the cyclic garbage collector's rounds.

    Django, the URLconf and the language models are some 700,000 objects that live as long as the
    worker. Each full collection walked them all: 200–250 ms on the benchmark's machine, with every
    thread of the worker stalled. Frozen (after a last collection of start-up garbage), they are
    never walked again; what requests create is collected as before.
    """
    gc.collect()
    gc.freeze()


keep_startup_objects_out_of_collections()
