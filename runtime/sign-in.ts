/**
 * Single sign-on as the image and the infrastructure share it: Airflow's built-in roles, the FAB OAuth callback
 * path and the `AIRFLOW_ECS_OIDC_*` variables the api-server's `webserver_config.py` renders the OAuth settings
 * from (docker/config/airflow_ecs/oidc.py reads exactly these names; a test checks).
 */

/** The roles the FAB auth manager creates in Airflow 3 (docker/config/airflow_ecs/oidc.py mirrors the list). */
export const AIRFLOW_ROLES = ["Admin", "Op", "User", "Viewer", "Public"] as const;
export type AirflowRole = (typeof AIRFLOW_ROLES)[number];

/**
 * Where the identity provider sends the browser back to: FAB's `oauth-authorized` view, mounted under `/auth` by the
 * Airflow 3 api-server (apache/airflow#71569), followed by the provider name.
 */
export const OIDC_CALLBACK_PATH = "/auth/oauth-authorized";

/** The callback URL to register at the identity provider for `baseUrl` (e.g. `https://airflow.example.com`). */
export function oidcCallbackUrl(baseUrl: string, providerName: string): string {
  return `${baseUrl.replace(/\/+$/, "")}${OIDC_CALLBACK_PATH}/${providerName}`;
}

/**
 * Variables of the api-server when the environment signs in with OIDC; all plain except the client secret, which
 * ECS injects from Secrets Manager. Without `issuerUrl` set, webserver_config.py keeps FAB's password login.
 */
export const OIDC_ENV = {
  /** FAB's provider name: the login button and the last segment of the callback URL. */
  oidcProvider: "AIRFLOW_ECS_OIDC_PROVIDER",
  /** The issuer; its `/.well-known/openid-configuration` tells Authlib every endpoint and the signing keys. */
  oidcIssuerUrl: "AIRFLOW_ECS_OIDC_ISSUER_URL",
  oidcClientId: "AIRFLOW_ECS_OIDC_CLIENT_ID",
  /** (secret) The OAuth client secret. */
  oidcClientSecret: "AIRFLOW_ECS_OIDC_CLIENT_SECRET",
  /** Space-separated scopes, `openid` among them. */
  oidcScopes: "AIRFLOW_ECS_OIDC_SCOPES",
  /** The claim holding the user's groups (a list of strings, or one string). */
  oidcRoleClaim: "AIRFLOW_ECS_OIDC_ROLE_CLAIM",
  /** JSON object: group -> list of Airflow roles. */
  oidcRoleMapping: "AIRFLOW_ECS_OIDC_ROLE_MAPPING",
  /** The role every signed-in user has, mapped groups or not. */
  oidcDefaultRole: "AIRFLOW_ECS_OIDC_DEFAULT_ROLE",
} as const;
