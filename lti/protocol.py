"""LTI 1.3 protocol checks on top of PyLTI1p3 / django-lti, stricter where the tool needs it.

The library does the OIDC redirect, signature check and message validation;
this module adds what it leaves open:

- no cookie is needed between login and launch: state and nonce live in the
  cache, keyed by the state, and both are single-use (a replayed id_token, or
  a second token carrying the same nonce, is refused);
- ``aud``, ``azp``, ``exp`` and ``iat`` are checked, with a small clock leeway;
- platform key sets are fetched with a timeout and cached, and fetched again
  once when a token names a key the cached set does not have (key rotation);
- a deployment the administrator has not registered is refused, never created.
"""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

import jwt
import requests
from django.conf import settings
from django.core.cache import cache
from lti_tool.models import LtiDeployment, LtiRegistration
from lti_tool.utils import DjangoToolConfig
from pylti1p3.contrib.django import DjangoCacheDataStorage, DjangoMessageLaunch, DjangoOIDCLogin
from pylti1p3.deployment import Deployment
from pylti1p3.exception import LtiException

STATE_PREFIX = "lti:state:"
NONCE_PREFIX = "lti:nonce-used:"
KEYSET_PREFIX = "lti:keyset:"


class UnknownDeployment(LtiException):
    """The platform launched with a deployment id nobody registered here."""


class TimeoutSession(requests.Session):
    """Every call to a platform gives up after ``LTI_HTTP_TIMEOUT`` seconds."""

    def request(self, method, url, **kwargs):
        kwargs.setdefault("timeout", settings.LTI_HTTP_TIMEOUT)
        return super().request(method, url, **kwargs)


def http_session() -> requests.Session:
    session = TimeoutSession()
    session.headers["User-Agent"] = "Academy-LTI/1.0"
    return session


class CookielessCacheStorage(DjangoCacheDataStorage):
    """Launch data in the cache without the library's session-id cookie (blocked in third-party frames)."""

    def get_session_cookie_name(self):
        return None


class ToolConfig(DjangoToolConfig):
    """django-lti's configuration, except that unknown deployments are refused instead of created."""

    def find_registration_by_issuer(self, iss, *args, **kwargs):
        from lti.services.keys import signing_key

        signing_key()  # the registration signs with the newest key; make the first one
        return super().find_registration_by_issuer(iss, *args, **kwargs)

    def find_registration_by_params(self, iss, client_id, *args, **kwargs):
        from lti.services.keys import signing_key

        signing_key()
        return super().find_registration_by_params(iss, client_id, *args, **kwargs)

    def _deployment(self, **lookups) -> Deployment:
        try:
            self.deployment = LtiDeployment.objects.select_related("registration").get(**lookups)
        except LtiDeployment.DoesNotExist as error:
            raise UnknownDeployment("Unknown deployment") from error
        return Deployment().set_deployment_id(self.deployment.deployment_id)

    def find_deployment(self, iss, deployment_id):
        return self._deployment(
            registration__uuid=self.registration_uuid,
            registration__issuer=iss,
            registration__is_active=True,
            deployment_id=deployment_id,
        )

    def find_deployment_by_params(self, iss, deployment_id, client_id, *args, **kwargs):
        lookups = {
            "registration__issuer": iss,
            "registration__client_id": client_id,
            "registration__is_active": True,
            "deployment_id": deployment_id,
        }
        if self.registration_uuid is not None:
            lookups["registration__uuid"] = self.registration_uuid
        return self._deployment(**lookups)


class OIDCLogin(DjangoOIDCLogin):
    """Third-party initiated login: remembers state → (nonce, registration) server-side."""

    def __init__(self, request, tool_config):
        super().__init__(request, tool_config, launch_data_storage=CookielessCacheStorage())
        self._nonce: str | None = None

    def _generate_nonce(self) -> str:
        self._nonce = secrets.token_urlsafe(32)
        return self._nonce

    def _get_uuid(self) -> str:
        return secrets.token_urlsafe(24)

    def redirect_url(self, launch_url: str) -> str:
        url = self._prepare_redirect_url(launch_url)
        state = _query_param(url, "state")
        cache.set(
            STATE_PREFIX + state,
            {"nonce": self._nonce, "issuer": self.get_iss(), "client_id": self.get_client_id()},
            settings.LTI_STATE_SECONDS,
        )
        return url


def _query_param(url: str, name: str) -> str:
    from urllib.parse import parse_qs, urlsplit

    return parse_qs(urlsplit(url).query)[name][0]


class MessageLaunch(DjangoMessageLaunch):
    """A signed launch from a platform, validated with single-use state and nonce."""

    def __init__(self, request, tool_config):
        super().__init__(
            request,
            tool_config,
            launch_data_storage=CookielessCacheStorage(),
            requests_session=http_session(),
        )
        self._state_params: dict[str, Any] | None = None

    def validate(self):
        # The library's order, except that the nonce is spent only once the signature holds.
        self._validated = True
        try:
            return (
                self.validate_state()
                .validate_jwt_format()
                .validate_registration()
                .validate_jwt_signature()
                .validate_nonce()
                .validate_deployment()
                .validate_message()
                .save_launch_data()
            )
        except Exception:
            self._validated = False
            raise

    # -- state and nonce: single-use, no cookie --------------------------------

    def validate_state(self):
        state = self._get_request_param("state")
        if not state:
            raise LtiException("Missing state param")
        params = cache.get(STATE_PREFIX + state)
        # delete() is atomic: of two requests racing with one state, one wins.
        if params is None or not cache.delete(STATE_PREFIX + state):
            raise LtiException("State not found")
        self._state_params = params
        return self

    def validate_nonce(self):
        nonce = self._get_jwt_body().get("nonce")
        if not nonce:
            raise LtiException('"nonce" is empty')
        if self._state_params is None or not secrets.compare_digest(str(nonce), str(self._state_params["nonce"])):
            raise LtiException("Invalid Nonce")
        digest = hashlib.sha256(f"{self._get_jwt_body().get('iss')}|{nonce}".encode()).hexdigest()
        if not cache.add(NONCE_PREFIX + digest, 1, settings.LTI_NONCE_SECONDS):
            raise LtiException("Nonce already used")
        return self

    # -- token claims ------------------------------------------------------------

    def validate_jwt_signature(self):
        id_token = self._get_id_token()
        public_key, key_alg = self.get_public_key()
        client_id = self._registration.get_client_id()
        try:
            body = jwt.decode(
                id_token,
                public_key,
                algorithms=[key_alg],
                audience=client_id,
                issuer=self._registration.get_issuer(),
                leeway=settings.LTI_CLOCK_LEEWAY_SECONDS,
                options={"require": ["exp", "iat", "aud", "iss", "sub", "nonce"]},
            )
        except jwt.InvalidTokenError as error:
            raise LtiException(f"Can't decode id_token: {error}") from error
        audiences = body["aud"] if isinstance(body["aud"], list) else [body["aud"]]
        azp = body.get("azp")
        if len(audiences) > 1 and not azp:
            raise LtiException("azp is required when the token has several audiences")
        if azp is not None and azp != client_id:
            raise LtiException("azp is not this tool's client id")
        return self

    # -- platform keys: timeout, cache, one refetch on an unknown kid ------------

    def fetch_public_key(self, key_set_url: str):
        cache_key = KEYSET_PREFIX + hashlib.sha256(key_set_url.encode()).hexdigest()
        keyset = cache.get(cache_key)
        if keyset is None:
            try:
                response = self._requests_session.get(key_set_url)
                response.raise_for_status()
                keyset = response.json()
            except (requests.RequestException, ValueError) as error:
                raise LtiException(f"Platform key set unavailable: {error}") from error
            cache.set(cache_key, keyset, settings.LTI_PLATFORM_KEYS_CACHE_SECONDS)
        return keyset

    def get_public_key(self):
        try:
            return super().get_public_key()
        except LtiException as error:
            if str(error) != "Unable to find public key":
                raise
            key_set_url = self._registration.get_key_set_url()
            cache.delete(KEYSET_PREFIX + hashlib.sha256(key_set_url.encode()).hexdigest())
            self._registration.set_key_set(None)
            return super().get_public_key()


def registration_for(*, issuer: str, client_id: str | None) -> LtiRegistration | None:
    queryset = LtiRegistration.objects.active().filter(issuer=issuer)
    if client_id:
        queryset = queryset.filter(client_id=client_id)
    return queryset.first()
