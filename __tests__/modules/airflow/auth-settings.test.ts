import type { AuthConfig, OidcAuthConfig } from "../../../config/schema";
import { componentEnvironment, componentSecrets } from "../../../modules/airflow/airflow-settings";
import { AUTH_MANAGERS, authEnvironment, authSecretArns, authSecrets } from "../../../modules/airflow/auth-settings";
import { COMPONENTS, RUNTIME_ENV } from "../../../runtime/airflow-image";
import { testRuntime } from "./service-fixtures";

const OIDC: OidcAuthConfig = {
  kind: "oidc",
  issuerUrl: "https://login.example.com/realms/data",
  clientId: "airflow-dev",
  clientSecretArn: "arn:aws:secretsmanager:eu-west-1:111111111111:secret:airflow/dev/oidc-client-secret-AbC123",
  scopes: ["openid", "email", "profile", "groups"],
  roleClaim: "groups",
  roleMapping: { "airflow-admins": ["Admin"], "data-engineers": ["Op", "User"] },
  defaultRole: "Viewer",
  providerName: "corp",
};

const FAB_AUTH_MANAGER = "airflow.providers.fab.auth_manager.fab_auth_manager.FabAuthManager";

describe("sign-in settings", () => {
  it.each([
    [{ kind: "fab" }, FAB_AUTH_MANAGER],
    [{ kind: "simple" }, "airflow.api_fastapi.auth.managers.simple.simple_auth_manager.SimpleAuthManager"],
    [OIDC, FAB_AUTH_MANAGER],
  ] as [AuthConfig, string][])("set the auth manager of %j on every component", (auth, manager) => {
    for (const component of COMPONENTS) expect(authEnvironment(component, auth).AIRFLOW__CORE__AUTH_MANAGER).toBe(manager);
    expect(AUTH_MANAGERS[auth.kind]).toBe(manager);
  });

  it("point the simple auth manager's generated passwords at the writable /tmp", () => {
    expect(authEnvironment("api-server", { kind: "simple" })).toEqual({
      AIRFLOW__CORE__AUTH_MANAGER: AUTH_MANAGERS.simple,
      AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE: "/tmp/simple_auth_manager_passwords.json.generated",
    });
  });

  it("give the api-server the OIDC settings as plain variables, the scopes space-separated and the mapping as JSON", () => {
    // GIVEN OIDC sign-in WHEN the api-server's environment is built
    const env = authEnvironment("api-server", OIDC);
    // THEN it carries everything webserver_config.py renders, under runtime/'s names, and not the client secret
    expect(env).toEqual({
      AIRFLOW__CORE__AUTH_MANAGER: FAB_AUTH_MANAGER,
      [RUNTIME_ENV.oidcProvider]: "corp",
      [RUNTIME_ENV.oidcIssuerUrl]: "https://login.example.com/realms/data",
      [RUNTIME_ENV.oidcClientId]: "airflow-dev",
      [RUNTIME_ENV.oidcScopes]: "openid email profile groups",
      [RUNTIME_ENV.oidcRoleClaim]: "groups",
      [RUNTIME_ENV.oidcRoleMapping]: '{"airflow-admins":["Admin"],"data-engineers":["Op","User"]}',
      [RUNTIME_ENV.oidcDefaultRole]: "Viewer",
    });
  });

  it("inject the client secret into the api-server only, through ECS secrets", () => {
    expect(COMPONENTS.filter((c) => Object.keys(authSecrets(c, OIDC)).length > 0)).toEqual(["api-server"]);
    expect(authSecrets("api-server", OIDC)).toEqual({ [RUNTIME_ENV.oidcClientSecret]: OIDC.clientSecretArn });
    expect(authSecretArns(OIDC)).toEqual([OIDC.clientSecretArn]);
    expect(authSecretArns({ kind: "fab" })).toEqual([]);
  });

  it("reach the components' settings: the secret among the api-server's secrets, never in any plain environment", () => {
    // GIVEN a runtime signing in with OIDC WHEN every component's settings are built
    const runtime = { ...testRuntime, auth: OIDC };
    // THEN only the api-server has OIDC variables and the secret, and no plain value anywhere names the secret
    expect(COMPONENTS.filter((c) => RUNTIME_ENV.oidcIssuerUrl in componentEnvironment(c, runtime))).toEqual(["api-server"]);
    expect(componentSecrets("api-server", runtime)[RUNTIME_ENV.oidcClientSecret]).toBe(OIDC.clientSecretArn);
    for (const component of COMPONENTS) {
      expect(Object.values(componentEnvironment(component, runtime)).filter((value) => value.includes("oidc-client-secret"))).toEqual([]);
    }
  });

  it("add nothing but the auth manager with FAB passwords", () => {
    for (const component of COMPONENTS) {
      expect(authEnvironment(component, { kind: "fab" })).toEqual({ AIRFLOW__CORE__AUTH_MANAGER: FAB_AUTH_MANAGER });
      expect(authSecrets(component, { kind: "fab" })).toEqual({});
    }
  });
});
