"""WhiteNoise's compressed manifest storage, with each static file's URL worked out once per process.

Resolving a URL through the manifest (clean the name, look up its hashed name, quote, join to
``STATIC_URL``) costs tens of microseconds, and every page asks for the same handful of files. The
manifest is read when the process starts and a deploy starts new processes, so a URL never changes
while a process runs; ``collectstatic`` (which rewrites the manifest) forgets what was remembered.
"""

from __future__ import annotations

import threading

from whitenoise.storage import CompressedManifestStaticFilesStorage


class RememberedManifestStaticFilesStorage(CompressedManifestStaticFilesStorage):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._remembered_urls: dict[str, str] = {}
        self._remembered_lock = threading.Lock()

    def url(self, name, force=False):
        if force:
            return super().url(name, force)
        url = self._remembered_urls.get(name)
        if url is None:
            url = super().url(name)
            with self._remembered_lock:
                self._remembered_urls[name] = url
        return url

    def post_process(self, *args, **kwargs):
        self._remembered_urls = {}
        yield from super().post_process(*args, **kwargs)
        self._remembered_urls = {}
