/** How people sign in to the Airflow UI and API (README "Single sign-on"). */
import { AIRFLOW_ROLES, OIDC_CALLBACK_PATH } from "../../runtime/sign-in";
import { SECRET_ARN } from "./common";
import { list, oneOf, record, str, variant } from "./language";

const airflowRole = oneOf(AIRFLOW_ROLES);

const oidc = {
  issuerUrl: str("an https URL without query or credentials, e.g. https://login.example.com/realms/data or https://example.okta.com/oauth2/default", {
    pattern: /^https:\/\/[A-Za-z0-9.-]+(:\d{1,5})?(\/[A-Za-z0-9._~%!$&'()*+,;=:@\/-]*)?$/,
    doc: "The identity provider's issuer URL; Airflow reads its endpoints and signing keys from `<issuerUrl>/.well-known/openid-configuration`.",
  }),
  clientId: str("the OAuth client id the identity provider issued: 1-256 letters, digits or . _ ~ : @ / + = -", {
    pattern: /^[A-Za-z0-9._~:@\/+=-]{1,256}$/,
    doc: "OAuth client id of the Airflow application at the identity provider.",
  }),
  clientSecretArn: str("a Secrets Manager secret ARN, e.g. arn:aws:secretsmanager:eu-west-1:123456789012:secret:airflow/prod/oidc-client-secret-AbC123", {
    pattern: SECRET_ARN,
    doc: "Secrets Manager secret (in the environment's account and region, under `<namePrefix>/<name>/`) whose whole value is the OAuth client secret; ECS injects it into the api-server only.",
  }),
  scopes: list(str("an OAuth scope of 1-100 letters, digits or _ . : / -", { pattern: /^[A-Za-z0-9_.:\/-]{1,100}$/ }), 1, 20, {
    default: ["openid", "email", "profile"],
    doc: "Scopes requested at sign-in; `openid` is required (the verified ID token carries the claims). Add the scope your provider needs for the role claim (e.g. `groups`).",
  }),
  roleClaim: str("a claim name of 1-200 letters, digits or _ . : / -", {
    pattern: /^[A-Za-z0-9_.:\/-]{1,200}$/,
    default: "groups",
    doc: "Top-level claim of the ID token (or the userinfo answer) listing the user's groups, e.g. `groups`, `roles` (Entra ID app roles) or `cognito:groups`.",
  }),
  roleMapping: record(
    {
      keyPattern: /^[^\u0000-\u001f\u007f]{1,256}$/,
      keyAllowed: "group names (values of the role claim) of 1-256 printable characters",
      keyExample: "airflow-admins",
      values: list(airflowRole, 1, AIRFLOW_ROLES.length),
      maxEntries: 100,
    },
    {
      doc: 'Groups of the role claim and the Airflow roles they grant, e.g. `{"airflow-admins": ["Admin"], "data-engineers": ["Op"]}`; a user in several groups gets every role they grant. At least one group must grant `Admin`.',
    },
  ),
  defaultRole: oneOf(AIRFLOW_ROLES, {
    default: "Public",
    doc: "Role every signed-in user gets besides the mapped ones; `Public` (no permissions) admits only mapped groups, `Viewer` lets every user of the provider read.",
  }),
  providerName: str("1-32 lowercase letters, digits, _ or -, starting with a letter", {
    pattern: /^[a-z][a-z0-9_-]{0,31}$/,
    default: "oidc",
    doc: `Name of the provider in Airflow: the login button and the callback URL \`https://<alb.hostname>${OIDC_CALLBACK_PATH}/<providerName>\` to register at the identity provider.`,
  }),
};

export const auth = variant(
  "kind",
  "sign-in",
  { fab: {}, simple: {}, oidc },
  {
    default: { kind: "fab" },
    variantDocs: {
      fab: "The FAB auth manager with its own users and passwords (the migrate task creates the first admin).",
      simple: "Airflow's simple auth manager: generated passwords, for throwaway non-production environments only.",
      oidc: "The FAB auth manager signing users in with an OpenID Connect provider; users are created at their first sign-in and their roles follow `roleMapping` at every sign-in.",
    },
    doc: "How people sign in to the Airflow UI and API.",
  },
);
