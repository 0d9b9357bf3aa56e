"""
OpenID Connect sign-in for the api-server's FAB application, rendered from the container environment by
``$AIRFLOW_HOME/webserver_config.py``.

The task definition sets the variables named below (``*_ENV``; the client secret through ECS ``secrets``) only when
the environment signs in with OIDC; without ``AIRFLOW_ECS_OIDC_ISSUER_URL`` nothing here is used and FAB keeps its
password login. The settings use FAB's OAuth support (Authlib underneath): one provider whose endpoints and signing
keys come from ``<issuer>/.well-known/openid-configuration``, users registered at their first sign-in, and roles
recomputed at every sign-in.

Groups are mapped to Airflow roles here, in ``roles_for`` (a user gets the roles of every mapped group they are in,
plus the default role); FAB's own ``AUTH_ROLES_MAPPING`` is then the identity on Airflow's roles, so the decision is
made in one tested function. Everything except ``security_manager_class`` runs without Airflow or Flask.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, Tuple

PROVIDER_ENV = "AIRFLOW_ECS_OIDC_PROVIDER"
ISSUER_URL_ENV = "AIRFLOW_ECS_OIDC_ISSUER_URL"
CLIENT_ID_ENV = "AIRFLOW_ECS_OIDC_CLIENT_ID"
CLIENT_SECRET_ENV = "AIRFLOW_ECS_OIDC_CLIENT_SECRET"
SCOPES_ENV = "AIRFLOW_ECS_OIDC_SCOPES"
ROLE_CLAIM_ENV = "AIRFLOW_ECS_OIDC_ROLE_CLAIM"
ROLE_MAPPING_ENV = "AIRFLOW_ECS_OIDC_ROLE_MAPPING"
DEFAULT_ROLE_ENV = "AIRFLOW_ECS_OIDC_DEFAULT_ROLE"
#: The public URL of the UI (``[api] base_url``), which the callback URL hangs off.
BASE_URL_ENV = "AIRFLOW__API__BASE_URL"

#: The roles the FAB auth manager creates (runtime/sign-in.ts AIRFLOW_ROLES), in order of decreasing power.
AIRFLOW_ROLES = ("Admin", "Op", "User", "Viewer", "Public")
#: Claims a user must have to sign in: ``sub`` names the account for good, ``email`` is unique in FAB's user table.
REQUIRED_CLAIMS = ("sub", "email")
#: Where the issuer publishes its endpoints and signing keys (OpenID Connect Discovery).
DISCOVERY_PATH = "/.well-known/openid-configuration"
#: FAB's OAuth callback under the api-server's ``/auth`` mount, followed by the provider name (runtime/sign-in.ts).
CALLBACK_PATH = "/auth/oauth-authorized"

log = logging.getLogger(__name__)


class OidcConfigError(ValueError):
    """The OIDC variables are incomplete or malformed; the api-server must not start with a half-configured login."""


@dataclass(frozen=True)
class OidcSettings:
    """The sign-in settings of one environment, as the task definition passes them."""

    provider: str
    issuer_url: str
    client_id: str
    client_secret: str
    scopes: Tuple[str, ...]
    role_claim: str
    role_mapping: Mapping[str, Tuple[str, ...]]
    default_role: str
    #: ``<base_url>/auth/oauth-authorized/<provider>``: what the identity provider must have registered.
    callback_url: str


def parse_role_mapping(text: str) -> Dict[str, Tuple[str, ...]]:
    """``{"<group>": ["<role>", ...]}`` as JSON; raises naming the group and the role that is not Airflow's."""
    try:
        mapping = json.loads(text)
    except ValueError as error:
        raise OidcConfigError(f"{ROLE_MAPPING_ENV} is not valid JSON ({error}); expected an object of group -> list of roles") from None
    if not isinstance(mapping, dict):
        raise OidcConfigError(f"{ROLE_MAPPING_ENV} is a {type(mapping).__name__}; expected an object of group -> list of roles")
    parsed: Dict[str, Tuple[str, ...]] = {}
    for group, roles in mapping.items():
        if not isinstance(roles, list) or not roles or not all(isinstance(role, str) for role in roles):
            raise OidcConfigError(f"{ROLE_MAPPING_ENV}: group {group!r} maps to {roles!r}; expected a non-empty list of role names")
        unknown = [role for role in roles if role not in AIRFLOW_ROLES]
        if unknown:
            raise OidcConfigError(
                f"{ROLE_MAPPING_ENV}: group {group!r} maps to {', '.join(unknown)}; expected roles among {', '.join(AIRFLOW_ROLES)}"
            )
        parsed[group] = tuple(roles)
    return parsed


def settings_from_env(environ: Mapping[str, str]) -> Optional[OidcSettings]:
    """The OIDC settings, or None when the environment signs in with passwords (no issuer URL)."""
    if not environ.get(ISSUER_URL_ENV, "").strip():
        return None
    names = (PROVIDER_ENV, CLIENT_ID_ENV, CLIENT_SECRET_ENV, SCOPES_ENV, ROLE_CLAIM_ENV, ROLE_MAPPING_ENV, DEFAULT_ROLE_ENV, BASE_URL_ENV)
    values = {name: environ.get(name, "").strip() for name in names}
    missing = [name for name, value in values.items() if not value]
    if missing:
        raise OidcConfigError(f"{ISSUER_URL_ENV} is set but {', '.join(missing)} {'is' if len(missing) == 1 else 'are'} not set or empty")
    issuer = environ[ISSUER_URL_ENV].strip()
    if not issuer.startswith("https://"):
        raise OidcConfigError(f"{ISSUER_URL_ENV} is {issuer!r}; expected an https URL")
    base_url = values[BASE_URL_ENV].rstrip("/")
    if not base_url.startswith("https://"):
        raise OidcConfigError(
            f"{BASE_URL_ENV} is {base_url!r}; expected the https URL users reach Airflow at (the identity provider redirects the browser there)"
        )
    scopes = tuple(values[SCOPES_ENV].split())
    if "openid" not in scopes:
        raise OidcConfigError(f"{SCOPES_ENV} is {values[SCOPES_ENV]!r}; expected the openid scope among them")
    if values[DEFAULT_ROLE_ENV] not in AIRFLOW_ROLES:
        raise OidcConfigError(f"{DEFAULT_ROLE_ENV} is {values[DEFAULT_ROLE_ENV]!r}; expected one of {', '.join(AIRFLOW_ROLES)}")
    return OidcSettings(
        provider=values[PROVIDER_ENV],
        issuer_url=issuer,
        client_id=values[CLIENT_ID_ENV],
        client_secret=values[CLIENT_SECRET_ENV],
        scopes=scopes,
        role_claim=values[ROLE_CLAIM_ENV],
        role_mapping=parse_role_mapping(values[ROLE_MAPPING_ENV]),
        default_role=values[DEFAULT_ROLE_ENV],
        callback_url=f"{base_url}{CALLBACK_PATH}/{values[PROVIDER_ENV]}",
    )


def flask_config(settings: OidcSettings) -> Dict[str, Any]:
    """FAB's OAuth settings (``AUTH_TYPE`` aside, which webserver_config.py takes from ``flask_appbuilder.const``)."""
    return {
        "AUTH_USER_REGISTRATION": True,
        "AUTH_USER_REGISTRATION_ROLE": settings.default_role,
        "AUTH_ROLES_SYNC_AT_LOGIN": True,
        # roles_for decides the roles; FAB only resolves their names.
        "AUTH_ROLES_MAPPING": {role: [role] for role in AIRFLOW_ROLES},
        "OAUTH_PROVIDERS": [
            {
                "name": settings.provider,
                "icon": "fa-key",
                "token_key": "access_token",
                "remote_app": {
                    "client_id": settings.client_id,
                    "client_secret": settings.client_secret,
                    "server_metadata_url": settings.issuer_url.rstrip("/") + DISCOVERY_PATH,
                    "client_kwargs": {"scope": " ".join(settings.scopes)},
                },
            }
        ],
    }


def groups_of(claims: Mapping[str, Any], claim: str) -> List[str]:
    """The user's groups: the claim as a list of strings, or one string; anything else counts as no group."""
    value = claims.get(claim)
    if isinstance(value, str):
        return [value]
    if isinstance(value, (list, tuple)):
        return [item for item in value if isinstance(item, str)]
    return []


def roles_for(groups: Sequence[str], settings: OidcSettings) -> List[str]:
    """Every role the user's mapped groups grant, plus the default role, most powerful first."""
    granted = {settings.default_role}
    for group in groups:
        granted.update(settings.role_mapping.get(group, ()))
    return [role for role in AIRFLOW_ROLES if role in granted]


def user_info(claims: Mapping[str, Any], settings: OidcSettings) -> Dict[str, Any]:
    """
    FAB's user info for ``claims``: the username ``<provider>_<sub>`` (stable, never another account's), the name and
    e-mail, and the roles as ``role_keys``. Without a ``sub`` or an ``email`` it is empty, and FAB refuses the login.
    """
    missing = [name for name in REQUIRED_CLAIMS if not isinstance(claims.get(name), str) or not claims[name].strip()]
    if missing:
        log.warning("OIDC sign-in refused: the identity provider sent no %s claim", " or ".join(missing))
        return {}
    return {
        "username": f"{settings.provider}_{claims['sub']}",
        "email": claims["email"],
        "first_name": claims.get("given_name") or "",
        "last_name": claims.get("family_name") or "",
        "role_keys": roles_for(groups_of(claims, settings.role_claim), settings),
    }


def sign_in_claims(token: Mapping[str, Any], fetch_userinfo: Callable[[], Mapping[str, Any]], settings: OidcSettings) -> Dict[str, Any]:
    """
    The claims of a sign-in: Authlib's verified ID-token claims (``token["userinfo"]``), completed from the userinfo
    endpoint when the ID token lacks a required claim or the role claim (many providers put groups there only). The
    ID token's values win where both have one.
    """
    claims = dict(token.get("userinfo") or {})
    if any(name not in claims for name in (*REQUIRED_CLAIMS, settings.role_claim)):
        for name, value in (fetch_userinfo() or {}).items():
            claims.setdefault(name, value)
    return claims


def security_manager_class(settings: OidcSettings) -> type:
    """FAB's security manager with this provider's user info (imports Airflow's FAB provider, so only when OIDC is on)."""
    from airflow.providers.fab.auth_manager.security_manager.override import FabAirflowSecurityManagerOverride

    class OidcSecurityManager(FabAirflowSecurityManagerOverride):
        """Signs users in with the environment's OIDC provider; roles follow its groups at every sign-in."""

        def get_oauth_user_info(self, provider: str, resp: Dict[str, Any]) -> Dict[str, Any]:
            if provider != settings.provider:
                log.warning("OIDC sign-in refused: unknown provider %r", provider)
                return {}
            claims = sign_in_claims(resp or {}, self.oauth_remotes[provider].userinfo, settings)
            return user_info(claims, settings)

    return OidcSecurityManager
