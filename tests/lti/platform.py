"""A real LTI 1.3 platform for the tests, built on the ``lti1p3platform`` package.

The package (written by others) does the platform's side of the protocol: the
OIDC preflight URL, validating the tool's authentication request, building and
signing the id_token (resource link and deep linking messages, AGS and NRPS
claims), issuing access tokens against the tool's published key set, checking
bearer tokens on its services, validating deep linking responses and parsing
scores. It is a framework with abstract storage and no server of its own (its
Django adapter needs its own settings and its template loader needs
``pkg_resources``), so this harness adds only the plumbing: a WSGI server on a
free port, in-memory line items, scores and members, and a ``Browser`` that
follows redirects and submits the auto-posting forms the way a browser does.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from dataclasses import dataclass, field
from html import escape as html_escape
from typing import Any
from urllib.parse import parse_qs, urljoin, urlsplit
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import lxml.html
import requests
from jwcrypto.jwk import JWK
from lti1p3platform.exceptions import LineItemNotFoundException
from lti1p3platform.ltiplatform import LTI1P3PlatformConfAbstract
from lti1p3platform.membership import Context
from lti1p3platform.message_launch import LTIAdvantageMessageLaunchAbstract
from lti1p3platform.oidc_login import OIDCLoginAbstract
from lti1p3platform.registration import Registration
from lti1p3platform.request import Request
from lti1p3platform.score import UpdateScoreStatus
from lti1p3platform.service_connector import AssignmentsGradesService, NamesRoleProvisioningService

LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
INSTRUCTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"
ADMINISTRATOR = "http://purl.imsglobal.org/vocab/lis/v2/institution/person#Administrator"


def rsa_pem_pair() -> tuple[str, str]:
    key = JWK.generate(kty="RSA", size=2048)
    return key.export_to_pem().decode(), key.export_to_pem(private_key=True, password=None).decode()


class WsgiRequest(Request):
    def build_metadata(self, environ):
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        content_type = environ.get("CONTENT_TYPE", "")
        form = {k: v[0] for k, v in parse_qs(body.decode()).items()} if "form" in content_type else {}
        headers = {k[5:].replace("_", "-").title(): v for k, v in environ.items() if k.startswith("HTTP_")}
        if environ.get("CONTENT_TYPE"):
            headers["Content-Type"] = environ["CONTENT_TYPE"]
        return {
            "method": environ["REQUEST_METHOD"],
            "form_data": form,
            "get_data": {k: v[0] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()},
            "headers": headers,
            "content_type": content_type,
            "path": environ["PATH_INFO"],
            "json": json.loads(body) if body and "json" in content_type else None,
        }


@dataclass
class LaunchSpec:
    user_id: str
    roles: list[str]
    kind: str = "resource"  # or "deeplink"
    resource_link_id: str = ""
    custom: dict[str, str] = field(default_factory=dict)
    locale: str = "fr-FR"
    name: str = "Salma Berrada"
    email: str = ""
    expires_in: int = 300


class Platform:
    """One platform (issuer), one client id, one deployment, one course (context)."""

    def __init__(self, *, tool_base: str, client_id: str = "academy-tool", deployment_id: str = "dep-1"):
        self.tool_base = tool_base.rstrip("/")
        self.client_id = client_id
        self.deployment_id = deployment_id
        self.public_pem, self.private_pem = rsa_pem_pair()
        self.signing_pem: str | None = None  # set to sign with a key the platform does not publish
        self.context = Context(id="course-42", label="VID101", title="Vidéo IA — promotion de mars")
        self.launches: dict[str, LaunchSpec] = {}
        self.lineitems: dict[str, dict[str, Any]] = {}
        self.scores: dict[str, dict[str, dict[str, Any]]] = {}
        self.members: list[dict[str, Any]] = []
        self.deep_link_items: list[dict[str, Any]] = []
        self.score_posts = 0
        self.token_requests = 0
        self._server: WSGIServer | None = None
        self.port = 0

    # -- server --------------------------------------------------------------------

    def start(self) -> None:
        class Quiet(WSGIRequestHandler):
            def log_message(self, *args):
                pass

        self._server = make_server("127.0.0.1", self.port, self.app, handler_class=Quiet)
        self.port = self._server.server_port
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def issuer(self) -> str:
        return self.url

    # -- what the tool administrator pastes into the Academy ---------------------------

    def registration_fields(self) -> dict[str, str]:
        return {
            "issuer": self.issuer,
            "client_id": self.client_id,
            "auth_url": f"{self.url}/authorize",
            "token_url": f"{self.url}/token",
            "keyset_url": f"{self.url}/jwks",
        }

    # -- lti1p3platform's abstract parts ------------------------------------------------

    def conf(self) -> LTI1P3PlatformConfAbstract:
        platform = self

        class Conf(LTI1P3PlatformConfAbstract):
            def init_platform_config(self, **kwargs):
                pass

            def get_registration_by_params(self, **kwargs) -> Registration:
                return (
                    Registration()
                    .set_iss(platform.issuer)
                    .set_client_id(platform.client_id)
                    .set_deployment_id(platform.deployment_id)
                    .set_oidc_login_url(f"{platform.tool_base}/lti/login/")
                    .set_launch_url(f"{platform.tool_base}/lti/launch/")
                    .set_deeplink_launch_url(f"{platform.tool_base}/lti/launch/")
                    .set_tool_key_set_url(f"{platform.tool_base}/lti/jwks/")
                    .set_platform_public_key(platform.public_pem)
                    .set_platform_private_key(platform.signing_pem or platform.private_pem)
                )

        conf = Conf()
        conf.get_registration()
        return conf

    def _ags(self, request: Request, lineitem_id: str) -> AssignmentsGradesService:
        platform = self

        class Ags(AssignmentsGradesService):
            def find_lineitems(self, page=1, limit=None, **filters):
                return {"content": list(platform.lineitems.values()), "has_next": False, "next": None}

            def find_lineitem(self, line_item_id):
                if line_item_id not in platform.lineitems:
                    raise LineItemNotFoundException
                return platform.lineitems[line_item_id]

            def create_lineitem(self, creation_data):
                return platform.add_lineitem(**creation_data)

            def update_lineitem(self, update_data):
                platform.lineitems[update_data["id"]].update(update_data)
                return platform.lineitems[update_data["id"]]

            def delete_lineitem(self, line_item_id):
                platform.lineitems.pop(line_item_id)

            def update_score(self, line_item_id, score):
                item = self.find_lineitem(line_item_id)
                platform.score_posts += 1
                platform.scores.setdefault(item["id"], {})[score["userId"]] = score
                return UpdateScoreStatus.SUCCESS

            def get_results(self, line_item_id, page=1, limit=None, user_id=None):
                return {"content": [], "has_next": False, "next": None}

        return Ags(request, self.conf(), f"{self.url}/lineitems", lineitem_url=self.lineitem_url(lineitem_id))

    def _nrps(self, request: Request) -> NamesRoleProvisioningService:
        platform = self

        class Nrps(NamesRoleProvisioningService):
            def get_member_data_page(self, page=1, limit=None, role=None, since=None, **kwargs):
                return {"content": [dict(m) for m in platform.members], "has_next": False, "next": None}

            def get_context_by_id(self):
                return platform.context

        return Nrps(request, self.conf(), self.memberships_url)

    @property
    def memberships_url(self) -> str:
        return f"{self.url}/memberships/{self.context.id}"

    def lineitem_url(self, lineitem_id: str) -> str:
        return f"{self.url}/lineitems/{lineitem_id}"

    def add_lineitem(self, **data) -> dict[str, Any]:
        lineitem_id = uuid.uuid4().hex[:8]
        item = {**data, "id": self.lineitem_url(lineitem_id)}
        self.lineitems[item["id"]] = item
        return item

    def score_of(self, lineitem_url: str, user_id: str) -> dict[str, Any] | None:
        return self.scores.get(lineitem_url, {}).get(user_id)

    # -- launches ---------------------------------------------------------------------

    def start_url(self, spec: LaunchSpec) -> str:
        """The platform page a user clicks: its OIDC preflight to the tool."""
        hint = uuid.uuid4().hex
        self.launches[hint] = spec

        class Login(OIDCLoginAbstract):
            def set_lti_message_hint(self, **kwargs):
                self._lti_message_hint = kwargs["hint"]

            def get_redirect(self, url):
                return url

        login = Login(None, self.conf())
        login.set_lti_message_hint(hint=hint)
        return login.initiate_login(spec.user_id)

    def _launch(self, request: Request) -> str:
        platform = self
        query = request.get_data or request.form_data
        spec = self.launches[query["lti_message_hint"]]

        class Launch(LTIAdvantageMessageLaunchAbstract):
            def render_launch_form(self, launch_data, **kwargs):
                return (
                    f'<form method="POST" action="{launch_data["launch_url"]}">'
                    f'<input type="hidden" name="id_token" value="{launch_data["id_token"]}">'
                    f'<input type="hidden" name="state" value="{launch_data["state"]}"></form>'
                    "<script>document.forms[0].submit()</script>"
                )

            def get_preflight_response(self):
                return query

            def prepare_launch(self, preflight_response):
                if preflight_response.get("login_hint") != spec.user_id:
                    raise ValueError("login_hint does not match the user")
                self.set_user_data(spec.user_id, spec.roles, full_name=spec.name, email_address=spec.email or None)
                self.set_launch_context_claim(
                    platform.context.id, context_title=platform.context.title, context_label=platform.context.label
                )
                self.set_launch_presentation_claim(document_target="iframe", return_url=f"{platform.url}/return")
                self.lti_claim_launch_presentation["https://purl.imsglobal.org/spec/lti/claim/launch_presentation"][
                    "locale"
                ] = spec.locale
                self.set_nrps(platform.memberships_url)
                self.set_id_token_expiration(spec.expires_in)
                if spec.kind == "deeplink":
                    self.set_dl(f"{platform.url}/deep-link-return", title="Ajouter un contenu")
                else:
                    self.set_resource_link_claim(spec.resource_link_id, title="Activité Academy")
                    if spec.custom:
                        self.set_custom_parameters_claim(spec.custom)
                    item = next(
                        (i for i in platform.lineitems.values() if i.get("resourceLinkId") == spec.resource_link_id),
                        None,
                    )
                    self.set_ags(
                        f"{platform.url}/lineitems",
                        lineitem_url=item["id"] if item else None,
                        allow_creating_lineitems=True,
                    )

        return Launch(request, self.conf()).lti_launch()

    # -- the WSGI application ---------------------------------------------------------------

    def app(self, environ, start_response):
        request = WsgiRequest(environ)
        path = request.path
        status, body, content_type = "404 Not Found", b"", "text/plain"
        try:
            if path == "/course":
                # the platform's course page, with the tool's activity in an iframe as Moodle shows it
                start = html_escape(request.get_data["start"])
                page = f'<!doctype html><title>Cours</title><h1>Cours</h1><iframe title="Academy" src="{start}" width="1000" height="700"></iframe>'
                status, body, content_type = "200 OK", page.encode(), "text/html"
            elif path == "/authorize":
                status, body, content_type = "200 OK", self._launch(request).encode(), "text/html"
            elif path == "/jwks":
                status, body, content_type = "200 OK", json.dumps(self.conf().get_jwks()).encode(), "application/json"
            elif path == "/token":
                self.token_requests += 1
                token = self.conf().get_access_token(request.form_data)
                status, body, content_type = "200 OK", json.dumps(token).encode(), "application/json"
            elif path == "/deep-link-return":
                items = self.conf().validate_deeplinking_resp(request.form_data)
                for item in items:
                    if item.get("lineItem"):
                        link_id = f"link-{len(self.deep_link_items) + 1}"
                        item["resourceLinkId"] = link_id
                        self.add_lineitem(**item["lineItem"], resourceLinkId=link_id)
                    self.deep_link_items.append(item)
                status, body = "200 OK", b"saved"
            elif path.startswith("/lineitems/"):
                parts = path.strip("/").split("/")
                service = self._ags(request, parts[1])
                if len(parts) == 3 and parts[2] == "scores":
                    response = service.handle_update_score(self.lineitem_url(parts[1]))
                else:
                    response = service.handle_get_lineitem(self.lineitem_url(parts[1]))
                status = f"{response.code} X"
                body = json.dumps(response.result or {"message": response.message}).encode()
                content_type = "application/json"
            elif path.startswith("/memberships/"):
                response = self._nrps(request).handle_get_members()
                status, body = f"{response.code} X", json.dumps(response.result or {}).encode()
                content_type = "application/vnd.ims.lti-nrps.v2.membershipcontainer+json"
        except Exception as error:  # a platform answers errors, it does not crash
            status, body = "400 Bad Request", str(error).encode()
        start_response(status, [("Content-Type", content_type), ("Content-Length", str(len(body)))])
        return [body]


class Browser:
    """Follows redirects and submits auto-posting forms across the platform and the tool."""

    def __init__(self):
        self.session = requests.Session()
        self.last: requests.Response | None = None

    def close(self) -> None:
        self.session.close()

    def get(self, url: str) -> requests.Response:
        self.last = self.session.get(url, timeout=30)
        return self.last

    @staticmethod
    def _form(response: requests.Response):
        page = lxml.html.fromstring(response.text)
        in_main = page.xpath("//main//form")  # not the site header's language or logout forms
        return in_main[0] if in_main else page.forms[0]

    def submit_form(self, response: requests.Response | None = None, *, data: dict | None = None):
        response = response or self.last
        form = self._form(response)
        fields = dict(form.fields)
        fields.update(data or {})
        action = urljoin(response.url, form.action or response.url)
        self.last = self.session.post(action, data=fields, timeout=30)
        return self.last

    def form_fields(self, response: requests.Response | None = None) -> tuple[str, dict]:
        response = response or self.last
        form = self._form(response)
        return urljoin(response.url, form.action), dict(form.fields)

    def launch(self, platform: Platform, spec: LaunchSpec) -> requests.Response:
        """Click the link in the platform: preflight → tool login → platform authorize → posted launch."""
        self.get(platform.start_url(spec))
        assert urlsplit(self.last.url).path == "/authorize", self.last.url
        return self.submit_form()


def wait_for(predicate, *, timeout: float, interval: float = 0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    return predicate()
