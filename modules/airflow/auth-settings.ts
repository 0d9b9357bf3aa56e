import type { AuthConfig, AuthKind } from "../../config/schema";
import type { Component } from "../../runtime/airflow-image";
import { OIDC_ENV } from "../../runtime/sign-in";

/** The Airflow 3 auth manager class of each sign-in kind: OIDC is the FAB auth manager with its OAuth login. */
export const AUTH_MANAGERS: Readonly<Record<AuthKind, string>> = {
  fab: "airflow.providers.fab.auth_manager.fab_auth_manager.FabAuthManager",
  simple: "airflow.api_fastapi.auth.managers.simple.simple_auth_manager.SimpleAuthManager",
  oidc: "airflow.providers.fab.auth_manager.fab_auth_manager.FabAuthManager",
};

/** Only the api-server serves the login (the FAB application under `/auth`), so only it gets the OAuth settings. */
const SIGN_IN_COMPONENT: Component = "api-server";

/**
 * Plain sign-in settings of a component: the auth manager everywhere (every component reads `[core] auth_manager`),
 * and on the api-server the OIDC settings webserver_config.py renders FAB's OAuth configuration from.
 */
export function authEnvironment(component: Component, auth: AuthConfig): Record<string, string> {
  const env: Record<string, string> = { AIRFLOW__CORE__AUTH_MANAGER: AUTH_MANAGERS[auth.kind] };
  // The simple auth manager writes generated passwords; the root filesystem is read-only.
  if (auth.kind === "simple") env.AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE = "/tmp/simple_auth_manager_passwords.json.generated";
  if (auth.kind === "oidc" && component === SIGN_IN_COMPONENT) {
    Object.assign(env, {
      [OIDC_ENV.oidcProvider]: auth.providerName,
      [OIDC_ENV.oidcIssuerUrl]: auth.issuerUrl,
      [OIDC_ENV.oidcClientId]: auth.clientId,
      [OIDC_ENV.oidcScopes]: auth.scopes.join(" "),
      [OIDC_ENV.oidcRoleClaim]: auth.roleClaim,
      [OIDC_ENV.oidcRoleMapping]: JSON.stringify(auth.roleMapping),
      [OIDC_ENV.oidcDefaultRole]: auth.defaultRole,
    });
  }
  return env;
}

/** Sign-in secrets of a component (ECS `secrets`: name -> `valueFrom`): the OAuth client secret, api-server only. */
export function authSecrets(component: Component, auth: AuthConfig): Record<string, string> {
  return auth.kind === "oidc" && component === SIGN_IN_COMPONENT ? { [OIDC_ENV.oidcClientSecret]: auth.clientSecretArn } : {};
}

/** The secrets ECS injects for sign-in, whichever component: what the task execution role must be able to read. */
export function authSecretArns(auth: AuthConfig): string[] {
  return Object.values(authSecrets(SIGN_IN_COMPONENT, auth));
}
