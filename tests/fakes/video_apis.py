"""A local fake of the hosted video APIs (OpenAI Videos, Runway, Veo, fal, Replicate, Luma) and of OpenAI moderation.

One threaded HTTP server on 127.0.0.1 speaks every documented contract, so a
test points a backend's ``base_url`` at it and exercises the real client code:

- OpenAI Videos: ``POST /v1/videos`` (multipart), ``GET /v1/videos/{id}``,
  ``GET /v1/videos/{id}/content?variant=video`` (base URL ``…/v1``);
- Runway: ``POST /v1/text_to_video``, ``GET /v1/tasks/{id}``, pre-signed
  outputs under ``/assets/runway/``;
- Veo: ``POST /v1beta/models/{model}:predictLongRunning``,
  ``GET /v1beta/models/{model}/operations/{id}``, ``GET /v1beta/files/{id}:download``;
- fal (base URL ``…/fal``): ``POST /{model_id}``, ``GET /{owner}/{app}/requests/{id}/status``,
  ``GET /{owner}/{app}/requests/{id}``, ``PUT …/cancel``;
- Replicate: ``POST /v1/models/{owner}/{name}/predictions``, ``POST /v1/predictions``,
  ``GET /v1/predictions/{id}``, ``POST /v1/predictions/{id}/cancel``;
- Luma (base URL ``…/dream-machine/v1``): ``POST /generations/video``, ``GET``/``DELETE /generations/{id}``;
- CDN outputs of fal, Replicate and Luma under ``/assets/{provider}/{id}.mp4`` (no auth);
- moderation: ``POST /v1/moderations`` (flags any text containing "massacre").

Jobs complete after ``polls_to_complete`` polls, with growing progress, and
serve a real tiny MP4. A behaviour applies to every request
(ok, slow, flaky_5xx, rate_limited, hang, moderation); :meth:`FakeVideoAPI.script`
queues one-off replies for a route (a 429, a 500, a delay longer than the
client's read timeout, malformed JSON, an expired download...). Every request
is recorded for assertions.

Run it standalone for fault-tolerance tests with a real worker::

    python -m tests.fakes.video_apis --port 8765 --behaviour flaky_5xx

It then also answers ``GET /_fake/requests``, ``POST /_fake/config``
(``{"behaviour": "...", "polls_to_complete": 3}``) and ``POST /_fake/reset``.
"""

from __future__ import annotations

import argparse
import email.policy
import functools
import io
import json
import re
import signal
import sys
import threading
import uuid
from collections import defaultdict, deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.parser import BytesParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

BEHAVIOURS = ("ok", "slow", "flaky_5xx", "rate_limited", "hang", "moderation")
BEHAVIOUR_ALIASES = {"flaky": "flaky_5xx", "rate_limit": "rate_limited"}
DEFAULT_API_KEY = "test-key"
RUNWAY_VERSION = "2024-11-06"
MODERATION_TRIGGER = "massacre"

_ROUTES: tuple[tuple[str, re.Pattern[str], str], ...] = tuple(
    (method, re.compile(pattern), name)
    for method, pattern, name in (
        ("POST", r"^/v1/videos$", "openai.create"),
        ("GET", r"^/v1/videos/(?P<id>[^/]+)$", "openai.retrieve"),
        ("GET", r"^/v1/videos/(?P<id>[^/]+)/content$", "openai.content"),
        ("POST", r"^/v1/text_to_video$", "runway.create"),
        ("GET", r"^/v1/tasks/(?P<id>[^/]+)$", "runway.task"),
        ("GET", r"^/assets/runway/(?P<id>[^/]+)\.mp4$", "runway.output"),
        ("POST", r"^/v1beta/models/(?P<model>[^/:]+):predictLongRunning$", "veo.create"),
        ("GET", r"^/v1beta/models/(?P<model>[^/]+)/operations/(?P<id>[^/]+)$", "veo.operation"),
        ("GET", r"^/v1beta/files/(?P<id>[^/:]+):download$", "veo.download"),
        ("POST", r"^/v1/moderations$", "moderation"),
        # fal's queue, mounted under /fal so owner/app paths cannot collide with the others.
        ("GET", r"^/fal/(?P<app>[^/]+/[^/]+)/requests/(?P<id>[^/]+)/status$", "fal.status"),
        ("PUT", r"^/fal/(?P<app>[^/]+/[^/]+)/requests/(?P<id>[^/]+)/cancel$", "fal.cancel"),
        ("GET", r"^/fal/(?P<app>[^/]+/[^/]+)/requests/(?P<id>[^/]+)$", "fal.result"),
        ("POST", r"^/fal/(?P<model>[^/]+/[^/]+(?:/[^/]+)*)$", "fal.submit"),
        ("POST", r"^/v1/models/(?P<owner>[^/]+)/(?P<name>[^/]+)/predictions$", "replicate.create"),
        ("POST", r"^/v1/predictions$", "replicate.create_version"),
        ("GET", r"^/v1/predictions/(?P<id>[^/]+)$", "replicate.prediction"),
        ("POST", r"^/v1/predictions/(?P<id>[^/]+)/cancel$", "replicate.cancel"),
        ("POST", r"^/dream-machine/v1/generations/video$", "luma.create"),
        ("GET", r"^/dream-machine/v1/generations/(?P<id>[^/]+)$", "luma.generation"),
        ("DELETE", r"^/dream-machine/v1/generations/(?P<id>[^/]+)$", "luma.delete"),
        ("GET", r"^/assets/(?P<provider>fal|replicate|luma)/(?P<id>[^/]+)\.mp4$", "cdn.output"),
        ("GET", r"^/_fake/requests$", "control.requests"),
        ("POST", r"^/_fake/config$", "control.config"),
        ("POST", r"^/_fake/reset$", "control.reset"),
    )
)
_UNAUTHENTICATED_ROUTES = frozenset(
    {"runway.output", "cdn.output", "control.requests", "control.config", "control.reset"}
)
_MODERATION_CATEGORIES = (
    "harassment",
    "harassment/threatening",
    "hate",
    "hate/threatening",
    "illicit",
    "illicit/violent",
    "self-harm",
    "self-harm/intent",
    "self-harm/instructions",
    "sexual",
    "sexual/minors",
    "violence",
    "violence/graphic",
)


@functools.cache
def tiny_mp4() -> bytes:
    """A real H.264 MP4, 64x36, 1 s at 12 fps, with a square moving across a changing background."""
    import av
    import numpy as np

    buffer = io.BytesIO()
    with av.open(buffer, mode="w", format="mp4") as container:
        stream = container.add_stream("libx264", rate=12)
        stream.width, stream.height, stream.pix_fmt = 64, 36, "yuv420p"
        for index in range(12):
            pixels = np.full((36, 64, 3), (40 + index * 10, 90, 160), dtype=np.uint8)
            pixels[10:26, index * 4 : index * 4 + 16] = 240
            for packet in stream.encode(av.VideoFrame.from_ndarray(pixels, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return buffer.getvalue()


@dataclass(frozen=True)
class Reply:
    """A scripted answer: status, body, headers, and an optional delay before answering."""

    status: int = 200
    body: bytes = b""
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    hang: bool = False  # wait until the server stops, never answer

    @classmethod
    def json(
        cls, payload: Any, status: int = 200, *, headers: dict[str, str] | None = None, delay: float = 0.0
    ) -> Reply:
        return cls(status=status, body=json.dumps(payload).encode(), headers=headers or {}, delay=delay)

    @classmethod
    def raw(
        cls, body: bytes | str, status: int = 200, *, content_type: str = "text/plain", delay: float = 0.0
    ) -> Reply:
        data = body.encode() if isinstance(body, str) else body
        return cls(status=status, body=data, content_type=content_type, delay=delay)

    @classmethod
    def error(cls, status: int, message: str = "error", *, code: str | None = None, **headers: str) -> Reply:
        """An error in OpenAI's envelope; ``Retry_After="2"`` becomes a ``Retry-After: 2`` header."""
        payload = {"error": {"message": message, "type": "fake_error", "code": code}}
        return cls.json(payload, status, headers={name.replace("_", "-"): value for name, value in headers.items()})

    @classmethod
    def delayed(cls, seconds: float) -> Reply:
        """Answers 200 ``{}`` only after ``seconds``: longer than a client's read timeout, it is a timeout."""
        return cls.json({}, delay=seconds)

    @classmethod
    def hanging(cls) -> Reply:
        return cls(hang=True)


@dataclass
class RecordedRequest:
    route: str
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]  # lower-case names
    body: bytes

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")

    def json(self) -> Any:
        return json.loads(self.body or b"null")

    def form(self) -> dict[str, str]:
        """The fields of a multipart/form-data body."""
        return parse_multipart(self.content_type, self.body)

    def summary(self) -> dict[str, Any]:
        return {"route": self.route, "method": self.method, "path": self.path, "query": self.query}


def parse_multipart(content_type: str, body: bytes) -> dict[str, str]:
    if not content_type.startswith("multipart/form-data"):
        raise ValueError(f"not multipart/form-data: {content_type!r}")
    message = BytesParser(policy=email.policy.HTTP).parsebytes(
        b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + body
    )
    fields = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        fields[str(name)] = part.get_payload(decode=True).decode()
    return fields


@dataclass
class Job:
    id: str
    provider: str
    prompt: str
    moderated: bool
    model: str = ""
    polls: int = 0


class FakeVideoAPI:
    """The fake server; use as a context manager (``with FakeVideoAPI() as fake:``)."""

    def __init__(
        self,
        *,
        behaviour: str = "ok",
        polls_to_complete: int = 3,
        api_key: str = DEFAULT_API_KEY,
        host: str = "127.0.0.1",
        port: int = 0,
        slow_delay: float = 1.0,
        hang_seconds: float = 3600.0,
    ):
        self.behaviour = behaviour
        self.polls_to_complete = polls_to_complete
        self.api_key = api_key
        self.slow_delay = slow_delay
        self.hang_seconds = hang_seconds
        self.requests: list[RecordedRequest] = []
        self.jobs: dict[str, Job] = {}
        self._scripts: dict[str, deque[Reply]] = defaultdict(deque)
        self._counts: dict[str, int] = defaultdict(int)
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._address = (host, port)
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle --------------------------------------------------------

    @property
    def behaviour(self) -> str:
        return self._behaviour

    @behaviour.setter
    def behaviour(self, value: str) -> None:
        value = BEHAVIOUR_ALIASES.get(value, value)
        if value not in BEHAVIOURS:
            raise ValueError(f"unknown behaviour {value!r}; choose from {', '.join(BEHAVIOURS)}")
        self._behaviour = value

    def start(self) -> FakeVideoAPI:
        tiny_mp4()  # encode once before the first request, outside any client timeout
        self._stopping.clear()
        self._server = _Server(self._address, _Handler, self)
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()  # releases handlers that hang or delay
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = self._thread = None

    def __enter__(self) -> FakeVideoAPI:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def request_stop(self) -> None:
        """Ask :meth:`run_until_stopped` to return (safe from a signal handler)."""
        self._stopping.set()

    def run_until_stopped(self) -> None:
        """Serve in the foreground (the standalone mode) until :meth:`request_stop` or Ctrl-C."""
        if self._server is None:
            self.start()
        try:
            while not self._stopping.wait(0.5):
                pass
        except KeyboardInterrupt:
            pass
        finally:
            self.stop()

    # -- addresses and options for the backends ----------------------------------------

    @property
    def base_url(self) -> str:
        assert self._server is not None, "the fake server is not running"
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def openai_base_url(self) -> str:
        return f"{self.base_url}/v1"

    @property
    def fal_base_url(self) -> str:
        return f"{self.base_url}/fal"

    @property
    def luma_base_url(self) -> str:
        return f"{self.base_url}/dream-machine/v1"

    def options(
        self, *, read_timeout: float = 2.0, openai: bool = False, base_url: str | None = None, **extra: Any
    ) -> dict[str, Any]:
        """OPTIONS for a backend pointed at this fake, with short timeouts."""
        return {
            "api_key": self.api_key,
            "base_url": base_url or (self.openai_base_url if openai else self.base_url),
            "connect_timeout": 1.0,
            "read_timeout": read_timeout,
            **extra,
        }

    # -- scripting and inspection ----------------------------------------------------

    def script(self, route: str, *replies: Reply) -> None:
        """Answer the next requests to ``route`` (e.g. "openai.retrieve") with ``replies``, in order."""
        if route not in {name for _, _, name in _ROUTES}:
            raise ValueError(f"unknown route {route!r}")
        with self._lock:
            self._scripts[route].extend(replies)

    def requests_for(self, route: str) -> list[RecordedRequest]:
        with self._lock:
            return [request for request in self.requests if request.route == route]

    def reset(self) -> None:
        with self._lock:
            self.requests.clear()
            self.jobs.clear()
            self._scripts.clear()
            self._counts.clear()

    # -- request handling (called from the server's threads) ------------------------

    def handle(self, handler: _Handler, method: str) -> Reply | None:
        parts = urlsplit(handler.path)
        route, params = _match(method, parts.path)
        length = int(handler.headers.get("content-length") or 0)
        body = handler.rfile.read(length) if length else b""
        recorded = RecordedRequest(
            route=route,
            method=method,
            path=parts.path,
            query=parse_qs(parts.query),
            headers={name.lower(): value for name, value in handler.headers.items()},
            body=body,
        )
        with self._lock:
            if not route.startswith("control."):
                self.requests.append(recorded)
            self._counts[route] += 1
            count = self._counts[route]
            scripted = self._scripts[route].popleft() if self._scripts[route] else None
        if route == "unknown":
            return Reply.error(404, f"no route for {method} {parts.path}")
        if route.startswith("control."):
            return self._control(route, recorded)
        denied = self._check_auth(route, recorded)
        if denied is not None:
            return denied
        if scripted is not None:
            return scripted
        if self.behaviour == "hang":
            return Reply.hanging()
        if self.behaviour == "flaky_5xx" and count % 2 == 1:
            return Reply.error(503, "the fake is flaky", code="server_overloaded")
        if self.behaviour == "rate_limited" and count % 2 == 1:
            return Reply.error(429, "rate limited by the fake", code="rate_limit_exceeded", Retry_After="1")
        reply = self._answer(route, params, recorded)
        if self.behaviour == "slow":
            reply = Reply(reply.status, reply.body, reply.content_type, reply.headers, self.slow_delay)
        return reply

    def wait(self, seconds: float) -> None:
        self._stopping.wait(seconds)

    def _check_auth(self, route: str, request: RecordedRequest) -> Reply | None:
        if route in _UNAUTHENTICATED_ROUTES:
            return None
        if route.startswith("veo."):
            supplied = request.headers.get("x-goog-api-key", "")
        elif route.startswith("fal."):
            supplied = request.headers.get("authorization", "").removeprefix("Key ")
        else:
            supplied = request.headers.get("authorization", "").removeprefix("Bearer ")
        if supplied != self.api_key:
            return Reply.error(401, "invalid API key", code="invalid_api_key")
        if route.startswith("runway.") and request.headers.get("x-runway-version") != RUNWAY_VERSION:
            return Reply.error(400, "X-Runway-Version header is required", code="missing_version")
        return None

    def _new_job(self, provider: str, prompt: str, model: str, job_id: str) -> Job:
        moderated = self.behaviour == "moderation" or MODERATION_TRIGGER in prompt.lower()
        job = Job(id=job_id, provider=provider, prompt=prompt, moderated=moderated, model=model)
        with self._lock:
            self.jobs[job.id] = job
        return job

    def _poll(self, job_id: str, provider: str) -> Job | None:
        with self._lock:
            job = self.jobs.get(job_id)
            if job is None or job.provider != provider:
                return None
            job.polls += 1
            return job

    def _answer(self, route: str, params: dict[str, str], request: RecordedRequest) -> Reply:
        handler = getattr(self, "_" + route.replace(".", "_"))
        return handler(params, request)

    # -- OpenAI Videos ----------------------------------------------------------

    def _openai_create(self, params: dict[str, str], request: RecordedRequest) -> Reply:
        try:
            form = request.form()
        except ValueError:
            return Reply.error(400, "expected multipart/form-data", code="invalid_request")
        if form.get("seconds", "4") not in ("4", "8", "12") or not form.get("prompt"):
            return Reply.error(400, "invalid seconds or prompt", code="invalid_value")
        job = self._new_job("openai", form["prompt"], form.get("model", "sora-2"), f"video_{uuid.uuid4().hex}")
        return Reply.json(self._openai_video(job, "queued", 0) | {"seconds": form.get("seconds", "4")})

    def _openai_retrieve(self, params: dict[str, str], request: RecordedRequest) -> Reply:
        job = self._poll(params["id"], "openai")
        if job is None:
            return Reply.error(404, "video not found", code="not_found")
        if job.polls < self.polls_to_complete:
            return Reply.json(self._openai_video(job, "in_progress", 100 * job.polls // self.polls_to_complete))
        if job.moderated:
            error = {"code": "moderation_blocked", "message": "Your request was blocked by our moderation system."}
            return Reply.json(self._openai_video(job, "failed", 100) | {"error": error})
        return Reply.json(self._openai_video(job, "completed", 100))

    def _openai_content(self, params: dict[str, str], request: RecordedRequest) -> Reply:
        job = self.jobs.get(params["id"])
        if job is None or job.polls < self.polls_to_complete or job.moderated:
            return Reply.error(404, "video not found", code="not_found")
        if request.query.get("variant", ["video"]) != ["video"]:
            return Reply.error(400, "only the video variant is faked", code="invalid_value")
        return Reply.raw(tiny_mp4(), content_type="video/mp4")

    @staticmethod
    def _openai_video(job: Job, status: str, progress: int) -> dict[str, Any]:
        return {
            "id": job.id,
            "object": "video",
            "model": job.model,
            "status": status,
            "progress": progress,
            "created_at": 1764000000,
            "completed_at": 1764000060 if status == "completed" else None,
            "expires_at": None,
            "prompt": job.prompt,
            "size": "1280x720",
            "seconds": "4",
            "remixed_from_video_id": None,
            "error": None,
        }

    # -- Runway -------------------------------------------------------------------

    def _runway_create(self, params: dict[str, str], request: RecordedRequest) -> Reply:
        body = request.json() or {}
        prompt = body.get("promptText", "")
        if not prompt or len(prompt) > 1000 or not isinstance(body.get("duration"), int):
            return Reply.json({"error": "Validation of body failed", "issues": []}, 400)
        job = self._new_job("runway", prompt, body.get("model", ""), str(uuid.uuid4()))
        return Reply.json({"id": job.id})

    def _runway_task(self, params: dict[str, str], request: RecordedRequest) -> Reply:
        job = self._poll(params["id"], "runway")
        if job is None:
            return Reply.json({"error": "Task not found"}, 404)
        task: dict[str, Any] = {"id": job.id, "createdAt": "2026-11-25T10:00:00.000Z"}
        if job.polls == 1 and self.polls_to_complete > 1:
            return Reply.json(task | {"status": "PENDING"})
        if job.polls < self.polls_to_complete:
            return Reply.json(task | {"status": "RUNNING", "progress": round(job.polls / self.polls_to_complete, 3)})
        if job.moderated:
            failure = {
                "failure": "The input text was flagged by content moderation.",
                "failureCode": "SAFETY.INPUT.TEXT",
            }
            return Reply.json(task | {"status": "FAILED"} | failure)
        return Reply.json(
            task | {"status": "SUCCEEDED", "output": [f"{self.base_url}/assets/runway/{job.id}.mp4?_jwt=fake"]}
        )

    def _runway_output(self, params: dict[str, str], request: RecordedRequest) -> Reply:
        if params["id"] not in self.jobs:
            return Reply.raw("<Error>AccessDenied</Error>", 403, content_type="application/xml")
        return Reply.raw(tiny_mp4(), content_type="video/mp4")

    # -- Veo ------------------------------------------------------------------------

    def _veo_create(self, params: dict[str, str], request: RecordedRequest) -> Reply:
        body = request.json() or {}
        try:
            prompt = body["instances"][0]["prompt"]
        except (KeyError, IndexError, TypeError):
            return Reply.json(
                {"error": {"code": 400, "message": "instances[0].prompt is required", "status": "INVALID_ARGUMENT"}},
                400,
            )
        job = self._new_job("veo", prompt, params["model"], uuid.uuid4().hex)
        return Reply.json({"name": f"models/{params['model']}/operations/{job.id}"})

    def _veo_operation(self, params: dict[str, str], request: RecordedRequest) -> Reply:
        job = self._poll(params["id"], "veo")
        if job is None:
            return Reply.json({"error": {"code": 404, "message": "operation not found", "status": "NOT_FOUND"}}, 404)
        name = f"models/{job.model}/operations/{job.id}"
        if job.polls < self.polls_to_complete:
            return Reply.json({"name": name})
        if job.moderated:
            result: dict[str, Any] = {
                "raiMediaFilteredCount": 1,
                "raiMediaFilteredReasons": ["The prompt could not be submitted: it may violate our policies."],
            }
        else:
            uri = f"{self.base_url}/v1beta/files/{job.id}:download?alt=media"
            result = {"generatedSamples": [{"video": {"uri": uri}}]}
        response = {"@type": "type.googleapis.com/google.ai.generativelanguage.v1beta.PredictLongRunningResponse"}
        return Reply.json({"name": name, "done": True, "response": response | {"generateVideoResponse": result}})

    def _veo_download(self, params: dict[str, str], request: RecordedRequest) -> Reply:
        if params["id"] not in self.jobs:
            return Reply.json({"error": {"code": 404, "message": "file not found", "status": "NOT_FOUND"}}, 404)
        return Reply.raw(tiny_mp4(), content_type="video/mp4")

    # -- fal queue -------------------------------------------------------------------

    def _cdn_url(self, provider: str, job: Job) -> str:
        return f"{self.base_url}/assets/{provider}/{job.id}.mp4"

    def _fal_submit(self, params: dict[str, str], request: RecordedRequest) -> Reply:
        body = request.json() or {}
        if not isinstance(body, dict) or not body.get("prompt"):
            return Reply.json(
                {"detail": [{"loc": ["body", "prompt"], "msg": "field required", "type": "missing"}]}, 422
            )
        job = self._new_job("fal", body["prompt"], params["model"], str(uuid.uuid4()))
        app = "/".join(params["model"].split("/")[:2])
        base = f"{self.base_url}/fal/{app}/requests/{job.id}"
        return Reply.json(
            {
                "request_id": job.id,
                "status_url": f"{base}/status",
                "response_url": base,
                "cancel_url": f"{base}/cancel",
                "queue_position": 0,
            }
        )

    def _fal_status(self, params: dict[str, str], request: RecordedRequest) -> Reply:
        job = self._poll(params["id"], "fal")
        if job is None:
            return Reply.json({"detail": "Request not found"}, 404)
        if job.polls == 1 and self.polls_to_complete > 1:
            return Reply.json({"status": "IN_QUEUE", "queue_position": 1}, 202)
        if job.polls < self.polls_to_complete:
            percent = 100 * job.polls // self.polls_to_complete
            logs = [{"message": f"sampling {percent}%|####| {job.polls}/{self.polls_to_complete}", "level": "INFO"}]
            return Reply.json({"status": "IN_PROGRESS", "logs": logs}, 202)
        return Reply.json({"status": "COMPLETED", "logs": []})

    def _fal_result(self, params: dict[str, str], request: RecordedRequest) -> Reply:
        job = self.jobs.get(params["id"])
        if job is None or job.provider != "fal":
            return Reply.json({"detail": "Request not found"}, 404)
        if job.polls < self.polls_to_complete:
            return Reply.json({"detail": "Request is still in progress"}, 400)
        if job.moderated:
            detail = [
                {
                    "loc": ["body", "prompt"],
                    "msg": "The content could not be processed because it contained "
                    "material flagged by a content checker.",
                    "type": "content_policy_violation",
                }
            ]
            return Reply.json({"detail": detail}, 422)
        video = {"url": self._cdn_url("fal", job), "content_type": "video/mp4", "file_size": len(tiny_mp4())}
        return Reply.json({"video": video, "seed": 42})

    def _fal_cancel(self, params: dict[str, str], request: RecordedRequest) -> Reply:
        return Reply.json({"status": "CANCELLATION_REQUESTED"}, 202)

    # -- Replicate -----------------------------------------------------------------------

    def _replicate_create(self, params: dict[str, str], request: RecordedRequest) -> Reply:
        body = request.json() or {}
        prompt = (body.get("input") or {}).get("prompt") if isinstance(body, dict) else None
        if not prompt:
            return Reply.json({"title": "Invalid input", "detail": "input.prompt is required", "status": 422}, 422)
        model = f"{params.get('owner', '')}/{params.get('name', '')}" if params else str(body.get("version"))
        job = self._new_job("replicate", prompt, model, uuid.uuid4().hex[:26])
        return Reply.json(self._replicate_prediction_body(job, "starting"), 201)

    def _replicate_create_version(self, params: dict[str, str], request: RecordedRequest) -> Reply:
        return self._replicate_create({}, request)

    def _replicate_prediction_body(self, job: Job, status: str, **fields: Any) -> dict[str, Any]:
        return {
            "id": job.id,
            "model": job.model,
            "version": "dp-1",
            "input": {"prompt": job.prompt},
            "logs": "",
            "output": None,
            "error": None,
            "status": status,
            "created_at": "2026-11-25T10:00:00.000Z",
            "urls": {"get": f"{self.base_url}/v1/predictions/{job.id}"},
            **fields,
        }

    def _replicate_prediction(self, params: dict[str, str], request: RecordedRequest) -> Reply:
        job = self._poll(params["id"], "replicate")
        if job is None:
            return Reply.json({"title": "Not found", "detail": "Prediction not found", "status": 404}, 404)
        if job.polls == 1 and self.polls_to_complete > 1:
            return Reply.json(self._replicate_prediction_body(job, "starting"))
        if job.polls < self.polls_to_complete:
            done = 20 * job.polls // self.polls_to_complete
            logs = f"Generating...\n {5 * done}%|{'#' * done}| {done}/20 [00:02<00:03]"
            return Reply.json(self._replicate_prediction_body(job, "processing", logs=logs))
        if job.moderated:
            error = "The input or output was flagged as sensitive. Please try again with different inputs. (E005)"
            return Reply.json(self._replicate_prediction_body(job, "failed", error=error))
        return Reply.json(self._replicate_prediction_body(job, "succeeded", output=self._cdn_url("replicate", job)))

    def _replicate_cancel(self, params: dict[str, str], request: RecordedRequest) -> Reply:
        job = self.jobs.get(params["id"])
        if job is None:
            return Reply.json({"title": "Not found", "detail": "Prediction not found", "status": 404}, 404)
        return Reply.json(self._replicate_prediction_body(job, "canceled"))

    # -- Luma ------------------------------------------------------------------------------

    def _luma_generation_body(self, job: Job, state: str, **fields: Any) -> dict[str, Any]:
        return {
            "id": job.id,
            "generation_type": "video",
            "state": state,
            "failure_reason": None,
            "created_at": "2026-11-25T10:00:00.000Z",
            "assets": None,
            "model": job.model,
            "request": {"prompt": job.prompt},
            **fields,
        }

    def _luma_create(self, params: dict[str, str], request: RecordedRequest) -> Reply:
        body = request.json() or {}
        if not body.get("prompt") or body.get("duration") not in (None, "5s", "9s"):
            return Reply.json({"detail": "Invalid request: prompt is required, duration is 5s or 9s"}, 400)
        job = self._new_job("luma", body["prompt"], body.get("model", "ray-2"), str(uuid.uuid4()))
        return Reply.json(self._luma_generation_body(job, "queued"), 201)

    def _luma_generation(self, params: dict[str, str], request: RecordedRequest) -> Reply:
        job = self._poll(params["id"], "luma")
        if job is None:
            return Reply.json({"detail": "Generation not found"}, 404)
        if job.polls == 1 and self.polls_to_complete > 1:
            return Reply.json(self._luma_generation_body(job, "queued"))
        if job.polls < self.polls_to_complete:
            return Reply.json(self._luma_generation_body(job, "dreaming"))
        if job.moderated:
            reason = "400: prompt not allowed because advanced moderation failed"
            return Reply.json(self._luma_generation_body(job, "failed", failure_reason=reason))
        assets = {"video": self._cdn_url("luma", job), "image": f"{self.base_url}/assets/luma/{job.id}.jpg"}
        return Reply.json(self._luma_generation_body(job, "completed", assets=assets))

    def _luma_delete(self, params: dict[str, str], request: RecordedRequest) -> Reply:
        return Reply(status=204)

    def _cdn_output(self, params: dict[str, str], request: RecordedRequest) -> Reply:
        job = self.jobs.get(params["id"])
        if job is None or job.provider != params["provider"]:
            return Reply.raw("<Error>NoSuchKey</Error>", 404, content_type="application/xml")
        return Reply.raw(tiny_mp4(), content_type="video/mp4")

    # -- moderation and control ---------------------------------------------------------

    def _moderation(self, params: dict[str, str], request: RecordedRequest) -> Reply:
        body = request.json() or {}
        text = body.get("input", "")
        flagged = self.behaviour == "moderation" or MODERATION_TRIGGER in str(text).lower()
        hits = {"violence", "violence/graphic"} if flagged else set()
        result = {
            "flagged": flagged,
            "categories": {name: name in hits for name in _MODERATION_CATEGORIES},
            "category_scores": {name: (0.91 if name in hits else 0.001) for name in _MODERATION_CATEGORIES},
            "category_applied_input_types": {name: ["text"] for name in _MODERATION_CATEGORIES},
        }
        return Reply.json({"id": f"modr-{uuid.uuid4().hex[:12]}", "model": body.get("model"), "results": [result]})

    def _control(self, route: str, request: RecordedRequest) -> Reply:
        if route == "control.requests":
            with self._lock:
                return Reply.json([recorded.summary() for recorded in self.requests])
        if route == "control.reset":
            self.reset()
            return Reply.json({"reset": True})
        config = request.json() or {}
        try:
            if "behaviour" in config:
                self.behaviour = config["behaviour"]
            if "polls_to_complete" in config:
                self.polls_to_complete = int(config["polls_to_complete"])
        except (TypeError, ValueError) as exc:
            return Reply.error(400, str(exc))
        return Reply.json({"behaviour": self.behaviour, "polls_to_complete": self.polls_to_complete})


def _match(method: str, path: str) -> tuple[str, dict[str, str]]:
    for route_method, pattern, name in _ROUTES:
        found = pattern.match(path)
        if found and route_method == method:
            return name, found.groupdict()
    return "unknown", {}


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], handler: type[BaseHTTPRequestHandler], fake: FakeVideoAPI):
        self.fake = fake
        super().__init__(address, handler)


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    server_version = "FakeVideoAPI/1.0"

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        self._respond("GET")

    def do_POST(self) -> None:  # noqa: N802
        self._respond("POST")

    def do_PUT(self) -> None:  # noqa: N802
        self._respond("PUT")

    def do_DELETE(self) -> None:  # noqa: N802
        self._respond("DELETE")

    def _respond(self, method: str) -> None:
        fake = self.server.fake
        reply = fake.handle(self, method)
        if reply is None:
            return
        if reply.hang:
            fake.wait(fake.hang_seconds)
            self.close_connection = True
            return
        if reply.delay:
            fake.wait(reply.delay)
        try:
            self.send_response(reply.status)
            self.send_header("Content-Type", reply.content_type)
            self.send_header("Content-Length", str(len(reply.body)))
            for name, value in reply.headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(reply.body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (a timeout test): nothing to answer

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass  # keep test output clean


@contextmanager
def running_fake(**kwargs: Any) -> Iterator[FakeVideoAPI]:
    """``with running_fake(behaviour="flaky_5xx") as fake:`` for a pytest fixture."""
    with FakeVideoAPI(**kwargs) as fake:
        yield fake


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--behaviour", default="ok", choices=[*BEHAVIOURS, *BEHAVIOUR_ALIASES])
    parser.add_argument("--polls", type=int, default=3, help="polls before a job completes")
    parser.add_argument("--api-key", default=DEFAULT_API_KEY)
    parser.add_argument("--slow-delay", type=float, default=2.0, help="seconds added to every answer when slow")
    args = parser.parse_args(argv)
    fake = FakeVideoAPI(
        behaviour=args.behaviour,
        polls_to_complete=args.polls,
        api_key=args.api_key,
        host=args.host,
        port=args.port,
        slow_delay=args.slow_delay,
    )
    signal.signal(signal.SIGTERM, lambda *_: fake.request_stop())
    fake.start()
    print(f"fake video APIs on {fake.base_url} (behaviour: {fake.behaviour})", flush=True)
    fake.run_until_stopped()
    return 0


if __name__ == "__main__":
    sys.exit(main())
