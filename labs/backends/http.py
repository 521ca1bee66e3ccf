"""A small HTTP client shared by the hosted video backends.

It wraps :class:`requests.Session` with the two things every provider needs:
timeouts taken from the backend's OPTIONS, and a translation of HTTP and
network failures into the typed errors of :mod:`labs.backends.base`, so the
grading task can decide between "retry later", "blocked" and "failed"
without knowing which provider answered.

The API key is a secret: it is never logged, and it is scrubbed from every
message this module puts into an exception.
"""

from __future__ import annotations

import email.utils
import logging
import os
import re
import tempfile
import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests
from urllib3.exceptions import ReadTimeoutError

from labs.backends.base import BackendError, GenerationRequest, PolicyRejected, TransientBackendError, VideoBackend

logger = logging.getLogger(__name__)

DEFAULT_CONNECT_TIMEOUT = 5.0
DEFAULT_READ_TIMEOUT = 30.0
DEFAULT_MAX_DOWNLOAD_BYTES = 500 * 1024 * 1024
_CHUNK_BYTES = 1024 * 1024
_MAX_REDIRECTS = 5
_MAX_DETAIL_CHARS = 300

# Wording and codes providers use when their moderation refuses a request
# synchronously (OpenAI "moderation_blocked", Gemini "SAFETY", Runway "SAFETY.*",
# fal "content_policy_violation", Replicate "flagged as sensitive (E005)", NSFW filters).
_MODERATION_PATTERN = re.compile(
    r"moderation|content[ _-]?policy|safety|sentinel_block|responsible ai|blocked by our|nsfw|flagged as sensitive",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class HttpSettings:
    """Connection settings read from a backend's OPTIONS."""

    base_url: str
    connect_timeout: float = DEFAULT_CONNECT_TIMEOUT
    read_timeout: float = DEFAULT_READ_TIMEOUT
    max_download_bytes: int = DEFAULT_MAX_DOWNLOAD_BYTES

    @classmethod
    def from_options(cls, options: Mapping[str, Any], *, default_base_url: str) -> HttpSettings:
        return cls(
            base_url=str(options.get("base_url") or default_base_url).rstrip("/"),
            connect_timeout=float(options.get("connect_timeout", DEFAULT_CONNECT_TIMEOUT)),
            read_timeout=float(options.get("read_timeout", DEFAULT_READ_TIMEOUT)),
            max_download_bytes=int(options.get("max_download_bytes", DEFAULT_MAX_DOWNLOAD_BYTES)),
        )


def parse_retry_after(headers: Mapping[str, str], *, now: float | None = None) -> float | None:
    """Seconds to wait, from ``retry-after-ms`` (OpenAI) or ``Retry-After`` (seconds or HTTP-date)."""
    milliseconds = headers.get("retry-after-ms")
    if milliseconds:
        try:
            return max(0.0, float(milliseconds) / 1000)
        except ValueError:
            pass
    value = (headers.get("retry-after") or "").strip()
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    current = now if now is not None else time.time()
    return max(0.0, when.timestamp() - current)


_PERCENT = re.compile(r"(\d{1,3})\s?%")


def progress_from_logs(logs: str) -> int | None:
    """The last percentage a model printed in its logs (tqdm bars: `` 45%|████▌ | 9/20``), if any."""
    found = _PERCENT.findall(logs or "")
    if not found:
        return None
    return max(0, min(100, int(found[-1])))


def same_origin(url: str, other: str) -> bool:
    a, b = urlsplit(url), urlsplit(other)
    return (a.scheme, a.hostname, a.port) == (b.scheme, b.hostname, b.port)


class HttpClient:
    """One provider's HTTP access: base URL, auth headers, timeouts, error mapping."""

    def __init__(
        self,
        settings: HttpSettings,
        *,
        provider: str,
        auth_headers: Mapping[str, str],
        secrets: Iterable[str] = (),
        extra_headers: Mapping[str, str] | None = None,
    ):
        self.settings = settings
        self.provider = provider
        self._auth_headers = dict(auth_headers)
        self._extra_headers = dict(extra_headers or {})
        self._secrets = tuple(secret for secret in secrets if secret)
        self._local = threading.local()

    # -- plumbing ---------------------------------------------------------

    @property
    def session(self) -> requests.Session:
        # One session per thread and per process: a Session is not thread-safe,
        # and a connection pool inherited through fork() must not be shared.
        session = getattr(self._local, "session", None)
        if session is None or getattr(self._local, "pid", None) != os.getpid():
            session = requests.Session()
            self._local.session, self._local.pid = session, os.getpid()
        return session

    @property
    def timeout(self) -> tuple[float, float]:
        return (self.settings.connect_timeout, self.settings.read_timeout)

    def url(self, path: str) -> str:
        return f"{self.settings.base_url}/{path.lstrip('/')}"

    def redact(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, "***")
        return text

    def _error(self, cls: type[BackendError], message: str, **kwargs: Any) -> BackendError:
        return cls(self.redact(f"{self.provider}: {message}"), **kwargs)

    # -- requests -----------------------------------------------------------

    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        """Send a request to the provider's API and return a 2xx response or raise a typed error."""
        headers = {**self._extra_headers, **self._auth_headers, **kwargs.pop("headers", {})}
        url = self.url(path)
        started = time.monotonic()
        try:
            response = self.session.request(method, url, headers=headers, timeout=self.timeout, **kwargs)
        except requests.RequestException as exc:
            raise self.network_error(exc) from None
        # Method, path and status only: headers carry the key, bodies carry prompts.
        logger.log(
            logging.DEBUG if response.ok else logging.WARNING,
            "%s %s %s -> %s in %.2fs",
            self.provider,
            method,
            urlsplit(url).path,
            response.status_code,
            time.monotonic() - started,
        )
        if not response.ok:
            raise self.http_error(response)
        return response

    def json(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        return self.decode_json(self.request(method, path, **kwargs))

    def decode_json(self, response: requests.Response) -> dict[str, Any]:
        try:
            payload = response.json()
        except ValueError:
            raise self._error(BackendError, "response is not valid JSON", code="malformed_response") from None
        if not isinstance(payload, dict):
            raise self._error(BackendError, "JSON response is not an object", code="malformed_response")
        return payload

    def malformed(self, what: str) -> BackendError:
        return self._error(BackendError, f"malformed response ({what})", code="malformed_response")

    # -- error mapping --------------------------------------------------------

    def network_error(self, exc: requests.RequestException) -> BackendError:
        # A read timeout while streaming a body surfaces as a ConnectionError
        # wrapping urllib3's ReadTimeoutError: it is still a timeout.
        cause = exc.args[0] if exc.args else None
        if isinstance(exc, requests.Timeout) or isinstance(cause, ReadTimeoutError):
            return self._error(TransientBackendError, "timed out", code="timeout")
        if isinstance(exc, requests.ConnectionError):
            return self._error(TransientBackendError, "connection failed", code="connection")
        return self._error(BackendError, f"network error ({type(exc).__name__})", code="network")

    def http_error(self, response: requests.Response) -> BackendError:
        status = response.status_code
        detail = self._detail(response)
        message = f"HTTP {status}" + (f" : {detail}" if detail else "")
        retry_after = parse_retry_after(response.headers)
        if status == 429:
            return self._error(TransientBackendError, message, code="rate_limited", retry_after=retry_after)
        if status >= 500:
            return self._error(TransientBackendError, message, code="server_error", retry_after=retry_after)
        if status in (408, 409):
            return self._error(TransientBackendError, message, code=f"http_{status}", retry_after=retry_after)
        if status in (401, 403):
            return self._error(BackendError, message, code="auth")
        if status in (400, 422) and _MODERATION_PATTERN.search(detail):
            return self._error(PolicyRejected, message, code="policy_rejected")
        if status == 404:
            return self._error(BackendError, message, code="not_found")
        return self._error(BackendError, message, code="bad_request")

    @staticmethod
    def _detail(response: requests.Response) -> str:
        """The provider's own error code and message, whatever its envelope."""
        try:
            payload = response.json()
        except ValueError:
            return response.text[:_MAX_DETAIL_CHARS].strip()
        parts: list[str] = []

        def collect(node: Any) -> None:
            if isinstance(node, dict):
                # "detail"/"msg"/"title": FastAPI-style (fal, Luma) and problem+json (Replicate) envelopes.
                for key in (
                    "code",
                    "status",
                    "type",
                    "failureCode",
                    "message",
                    "error",
                    "failure",
                    "title",
                    "detail",
                    "msg",
                ):
                    if key in node:
                        collect(node[key])
            elif isinstance(node, list):
                for item in node[:5]:
                    collect(item)
            elif isinstance(node, str | int) and str(node) not in parts:
                parts.append(str(node))

        collect(payload)
        return " ".join(parts)[:_MAX_DETAIL_CHARS]

    # -- downloads --------------------------------------------------------------

    def download(
        self,
        url: str,
        destination: Path,
        *,
        send_auth: bool,
        expired_statuses: tuple[int, ...] = (404, 410),
        params: Mapping[str, str] | None = None,
    ) -> Path:
        """Stream ``url`` to ``destination`` (atomically), refusing anything over the size limit.

        Auth headers go only to the API's own origin: output URLs and the
        redirects they lead to are often on a CDN that must not see the key.
        """
        url = urljoin(self.settings.base_url + "/", url)
        response = self._follow(url, send_auth=send_auth, params=params)
        with response:
            if response.status_code in expired_statuses:
                raise self._error(BackendError, f"the video has expired (HTTP {response.status_code})", code="expired")
            if not response.ok:
                raise self.http_error(response)
            return self._write(response, Path(destination))

    def _follow(self, url: str, *, send_auth: bool, params: Mapping[str, str] | None) -> requests.Response:
        for _ in range(_MAX_REDIRECTS + 1):
            if urlsplit(url).scheme not in ("http", "https"):
                raise self._error(BackendError, "invalid download URL", code="malformed_response")
            headers = dict(self._extra_headers)
            if send_auth and same_origin(url, self.settings.base_url):
                headers.update(self._auth_headers)
            try:
                response = self.session.get(
                    url, headers=headers, params=params, timeout=self.timeout, stream=True, allow_redirects=False
                )
            except requests.RequestException as exc:
                raise self.network_error(exc) from None
            if not response.is_redirect:
                return response
            location = response.headers.get("location", "")
            response.close()
            url, params = urljoin(url, location), None
        raise self._error(BackendError, "too many redirects", code="malformed_response")

    def _write(self, response: requests.Response, destination: Path) -> Path:
        limit = self.settings.max_download_bytes
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            raise self._error(BackendError, f"video too large ({declared} bytes)", code="too_large")
        destination.parent.mkdir(parents=True, exist_ok=True)
        handle, partial = tempfile.mkstemp(dir=destination.parent, prefix=".download-", suffix=".part")
        written, head = 0, b""
        try:
            with os.fdopen(handle, "wb") as out:
                try:
                    for chunk in response.iter_content(_CHUNK_BYTES):
                        if len(head) < 8:
                            head += chunk[:8]
                        written += len(chunk)
                        if written > limit:
                            raise self._error(BackendError, "video too large", code="too_large")
                        out.write(chunk)
                except requests.RequestException as exc:
                    raise self.network_error(exc) from None
            # Every MP4 opens with an ISO-BMFF "ftyp" box; an HTML or JSON error
            # page served with status 200 by a gateway does not.
            if head[4:8] != b"ftyp":
                raise self._error(BackendError, "downloaded content is not an MP4", code="malformed_response")
            os.replace(partial, destination)
        except BaseException:
            Path(partial).unlink(missing_ok=True)
            raise
        return destination


class HostedBackend(VideoBackend):
    """What the hosted (HTTP) backends share: options, the client, job-ref checks, pricing.

    OPTIONS: ``api_key``, ``base_url``, ``model``, ``connect_timeout`` (5 s),
    ``read_timeout`` (30 s), ``max_download_bytes`` (500 MB) and
    ``price_per_second`` (a decimal string; the per-model defaults are list
    prices noted when this was written and should be set per deployment).
    """

    provider = "hosted"
    default_base_url = ""
    default_model = ""
    #: Model name prefix -> price per generated second, in USD; longest prefix wins.
    default_prices: Mapping[str, str] = {}
    #: Shape of a valid job reference: it ends up in URL paths, so nothing else is accepted.
    job_ref_pattern = re.compile(r"^[A-Za-z0-9_-]{1,200}$")

    def __init__(self, alias: str = "default", **options: Any):
        super().__init__(alias, **options)
        self.api_key = str(options.get("api_key") or "")
        self.model = str(options.get("model") or self.default_model)
        self.http = HttpClient(
            HttpSettings.from_options(options, default_base_url=self.default_base_url),
            provider=self.provider,
            auth_headers=self.auth_headers(),
            secrets=(self.api_key,),
            extra_headers=self.extra_headers(),
        )

    def __repr__(self) -> str:  # never show the key, even in a debugger or a traceback
        return f"<{type(self).__name__} alias={self.alias!r} model={self.model!r}>"

    def auth_headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.api_key}"}

    def extra_headers(self) -> dict[str, str]:
        return {}

    def check_job_ref(self, job_ref: str) -> str:
        if not isinstance(job_ref, str) or not self.job_ref_pattern.match(job_ref):
            raise BackendError(f"{self.provider}: invalid job reference", code="invalid_job_ref")
        return job_ref

    def price_per_second(self) -> Decimal | None:
        configured = self.options.get("price_per_second")
        if configured not in (None, ""):
            return Decimal(str(configured))
        matches = [prefix for prefix in self.default_prices if self.model.startswith(prefix)]
        if not matches:
            return None
        return Decimal(self.default_prices[max(matches, key=len)])

    def cost(self, request: GenerationRequest) -> Decimal | None:
        price = self.price_per_second()
        if price is None:
            return None
        return (price * Decimal(str(request.duration_s))).quantize(Decimal("0.0001"))
