"""OIDC sign-in (airflow_ecs.oidc) and the webserver_config.py that renders it, against the stand-ins of fab_stub."""

import importlib.util
import os
import unittest

import fab_stub
from airflow_ecs import oidc

WEBSERVER_CONFIG = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "docker", "airflow-home", "webserver_config.py")

#: What the task definition of an OIDC api-server sets (the secret comes through ECS secrets).
ENV = {
    "AIRFLOW_ECS_OIDC_PROVIDER": "corp",
    "AIRFLOW_ECS_OIDC_ISSUER_URL": "https://login.example.com/realms/data/",
    "AIRFLOW_ECS_OIDC_CLIENT_ID": "airflow-prod",
    "AIRFLOW_ECS_OIDC_CLIENT_SECRET": "s3cr3t-from-secrets-manager",
    "AIRFLOW_ECS_OIDC_SCOPES": "openid email profile groups",
    "AIRFLOW_ECS_OIDC_ROLE_CLAIM": "groups",
    "AIRFLOW_ECS_OIDC_ROLE_MAPPING": '{"airflow-admins": ["Admin"], "data-engineers": ["Op"], "ml": ["User", "Viewer"]}',
    "AIRFLOW_ECS_OIDC_DEFAULT_ROLE": "Public",
    "AIRFLOW__API__BASE_URL": "https://airflow.example.com",
}

SETTINGS = oidc.settings_from_env(ENV)


def claims(**extra):
    return {"sub": "00u1abcd", "email": "ada@example.com", "given_name": "Ada", "family_name": "Lovelace", **extra}


class SettingsFromEnvironmentTest(unittest.TestCase):
    def test_none_without_an_issuer_so_fab_keeps_password_login(self):
        self.assertIsNone(oidc.settings_from_env({}))
        self.assertIsNone(oidc.settings_from_env({**ENV, "AIRFLOW_ECS_OIDC_ISSUER_URL": "  "}))

    def test_reads_every_setting(self):
        self.assertEqual(
            SETTINGS,
            oidc.OidcSettings(
                provider="corp",
                issuer_url="https://login.example.com/realms/data/",
                client_id="airflow-prod",
                client_secret="s3cr3t-from-secrets-manager",
                scopes=("openid", "email", "profile", "groups"),
                role_claim="groups",
                role_mapping={"airflow-admins": ("Admin",), "data-engineers": ("Op",), "ml": ("User", "Viewer")},
                default_role="Public",
                callback_url="https://airflow.example.com/auth/oauth-authorized/corp",
            ),
        )

    def test_refuses_a_half_configured_provider_naming_what_is_missing(self):
        env = {**ENV, "AIRFLOW_ECS_OIDC_CLIENT_SECRET": "", "AIRFLOW__API__BASE_URL": ""}
        del env["AIRFLOW_ECS_OIDC_CLIENT_ID"]
        with self.assertRaises(oidc.OidcConfigError) as raised:
            oidc.settings_from_env(env)
        self.assertEqual(
            str(raised.exception),
            "AIRFLOW_ECS_OIDC_ISSUER_URL is set but AIRFLOW_ECS_OIDC_CLIENT_ID, AIRFLOW_ECS_OIDC_CLIENT_SECRET, AIRFLOW__API__BASE_URL are not set or empty",
        )

    def test_refuses_plain_http_and_a_missing_openid_scope(self):
        cases = {
            "AIRFLOW_ECS_OIDC_ISSUER_URL": ("http://login.example.com", "AIRFLOW_ECS_OIDC_ISSUER_URL is 'http://login.example.com'; expected an https URL"),
            "AIRFLOW__API__BASE_URL": (
                "http://internal-alb.elb.amazonaws.com",
                "AIRFLOW__API__BASE_URL is 'http://internal-alb.elb.amazonaws.com'; expected the https URL users reach Airflow at",
            ),
            "AIRFLOW_ECS_OIDC_SCOPES": ("email profile", "AIRFLOW_ECS_OIDC_SCOPES is 'email profile'; expected the openid scope among them"),
            "AIRFLOW_ECS_OIDC_DEFAULT_ROLE": ("Guest", "AIRFLOW_ECS_OIDC_DEFAULT_ROLE is 'Guest'; expected one of Admin, Op, User, Viewer, Public"),
        }
        for name, (value, message) in cases.items():
            with self.subTest(name), self.assertRaises(oidc.OidcConfigError) as raised:
                oidc.settings_from_env({**ENV, name: value})
            self.assertIn(message, str(raised.exception))

    def test_role_mapping_errors_name_the_group_and_what_is_expected(self):
        cases = {
            "{not json": "AIRFLOW_ECS_OIDC_ROLE_MAPPING is not valid JSON (",
            '["Admin"]': "AIRFLOW_ECS_OIDC_ROLE_MAPPING is a list; expected an object of group -> list of roles",
            '{"admins": "Admin"}': "AIRFLOW_ECS_OIDC_ROLE_MAPPING: group 'admins' maps to 'Admin'; expected a non-empty list of role names",
            '{"admins": []}': "AIRFLOW_ECS_OIDC_ROLE_MAPPING: group 'admins' maps to []; expected a non-empty list of role names",
            '{"admins": ["Admin", "Superuser"]}': "AIRFLOW_ECS_OIDC_ROLE_MAPPING: group 'admins' maps to Superuser; expected roles among Admin, Op, User, Viewer, Public",
        }
        for text, message in cases.items():
            with self.subTest(text), self.assertRaises(oidc.OidcConfigError) as raised:
                oidc.parse_role_mapping(text)
            self.assertTrue(str(raised.exception).startswith(message), str(raised.exception))


class FlaskConfigTest(unittest.TestCase):
    def test_renders_one_discovered_provider_with_registration_and_roles_synced_at_sign_in(self):
        config = oidc.flask_config(SETTINGS)
        # THEN the provider's endpoints come from the issuer's discovery document (no doubled slash) with the scopes
        self.assertEqual(
            config["OAUTH_PROVIDERS"],
            [
                {
                    "name": "corp",
                    "icon": "fa-key",
                    "token_key": "access_token",
                    "remote_app": {
                        "client_id": "airflow-prod",
                        "client_secret": "s3cr3t-from-secrets-manager",
                        "server_metadata_url": "https://login.example.com/realms/data/.well-known/openid-configuration",
                        "client_kwargs": {"scope": "openid email profile groups"},
                    },
                }
            ],
        )
        # AND users are created at their first sign-in with the default role, roles recomputed at every sign-in
        self.assertEqual(
            {key: config[key] for key in ("AUTH_USER_REGISTRATION", "AUTH_USER_REGISTRATION_ROLE", "AUTH_ROLES_SYNC_AT_LOGIN")},
            {"AUTH_USER_REGISTRATION": True, "AUTH_USER_REGISTRATION_ROLE": "Public", "AUTH_ROLES_SYNC_AT_LOGIN": True},
        )
        # AND FAB resolves exactly Airflow's role names (the mapping itself is roles_for's)
        self.assertEqual(config["AUTH_ROLES_MAPPING"], {role: [role] for role in ("Admin", "Op", "User", "Viewer", "Public")})


class RoleMappingTest(unittest.TestCase):
    def test_a_mapped_group_grants_its_role_and_the_default_role(self):
        self.assertEqual(oidc.roles_for(["data-engineers"], SETTINGS), ["Op", "Public"])

    def test_several_groups_grant_the_union_of_their_roles(self):
        self.assertEqual(oidc.roles_for(["ml", "data-engineers", "airflow-admins"], SETTINGS), ["Admin", "Op", "User", "Viewer", "Public"])

    def test_unknown_groups_grant_only_the_default_role(self):
        self.assertEqual(oidc.roles_for(["marketing", "Admin"], SETTINGS), ["Public"])
        self.assertEqual(oidc.roles_for([], SETTINGS), ["Public"])

    def test_the_role_claim_may_be_a_list_or_one_string_and_anything_else_is_no_group(self):
        self.assertEqual(oidc.groups_of({"groups": ["a", 7, "b"]}, "groups"), ["a", "b"])
        self.assertEqual(oidc.groups_of({"groups": "a"}, "groups"), ["a"])
        self.assertEqual(oidc.groups_of({"groups": {"a": 1}}, "groups"), [])
        self.assertEqual(oidc.groups_of({}, "groups"), [])


class UserInfoTest(unittest.TestCase):
    def test_maps_claims_to_fab_user_info_with_roles(self):
        self.assertEqual(
            oidc.user_info(claims(groups=["ml", "data-engineers"]), SETTINGS),
            {
                "username": "corp_00u1abcd",
                "email": "ada@example.com",
                "first_name": "Ada",
                "last_name": "Lovelace",
                "role_keys": ["Op", "User", "Viewer", "Public"],
            },
        )

    def test_a_user_without_the_role_claim_gets_the_default_role_and_blank_names(self):
        info = oidc.user_info({"sub": "x", "email": "x@example.com"}, SETTINGS)
        self.assertEqual((info["role_keys"], info["first_name"], info["last_name"]), (["Public"], "", ""))

    def test_no_login_without_sub_or_email(self):
        for missing in ({"sub": ""}, {"email": None}, {"sub": "  "}):
            with self.subTest(missing), self.assertLogs("airflow_ecs.oidc", "WARNING") as logs:
                self.assertEqual(oidc.user_info({**claims(groups=["airflow-admins"]), **missing}, SETTINGS), {})
            self.assertIn("the identity provider sent no", logs.output[0])
        without = claims()
        del without["sub"], without["email"]
        with self.assertLogs("airflow_ecs.oidc", "WARNING") as logs:
            self.assertEqual(oidc.user_info(without, SETTINGS), {})
        self.assertIn("sent no sub or email claim", logs.output[0])


class SignInClaimsTest(unittest.TestCase):
    def test_uses_the_id_token_alone_when_it_has_every_claim(self):
        def fetch():
            raise AssertionError("the userinfo endpoint was called")

        self.assertEqual(oidc.sign_in_claims({"userinfo": claims(groups=["ml"])}, fetch, SETTINGS), claims(groups=["ml"]))

    def test_completes_missing_claims_from_the_userinfo_endpoint_keeping_the_id_tokens_values(self):
        token = {"userinfo": {"sub": "00u1abcd", "email": "ada@example.com"}}
        fetched = {"sub": "someone-else", "groups": ["airflow-admins"], "given_name": "Ada"}
        self.assertEqual(
            oidc.sign_in_claims(token, lambda: fetched, SETTINGS),
            {"sub": "00u1abcd", "email": "ada@example.com", "groups": ["airflow-admins"], "given_name": "Ada"},
        )
        self.assertEqual(oidc.sign_in_claims({"access_token": "t"}, lambda: claims(), SETTINGS), claims())


class SecurityManagerTest(unittest.TestCase):
    def setUp(self):
        fab_stub.install()

    def tearDown(self):
        fab_stub.uninstall()

    def test_subclasses_the_providers_override_and_signs_in_from_the_token(self):
        # GIVEN the security manager class and an Authlib client answering the userinfo endpoint
        cls = oidc.security_manager_class(SETTINGS)
        self.assertTrue(issubclass(cls, fab_stub.FabAirflowSecurityManagerOverride))

        class Remote:
            def userinfo(self):
                return {"groups": ["airflow-admins"]}

        manager = cls(appbuilder=None, oauth_remotes={"corp": Remote()})
        # WHEN FAB asks for the user info of a token whose ID token lacks the groups
        info = manager.get_oauth_user_info("corp", {"access_token": "t", "userinfo": claims()})
        # THEN the groups come from the userinfo endpoint and map to roles
        self.assertEqual((info["username"], info["role_keys"]), ("corp_00u1abcd", ["Admin", "Public"]))
        # AND another provider name gets nothing (FAB refuses the login)
        with self.assertLogs("airflow_ecs.oidc", "WARNING"):
            self.assertEqual(manager.get_oauth_user_info("github", {"userinfo": claims()}), {})


class WebserverConfigTest(unittest.TestCase):
    def tearDown(self):
        fab_stub.uninstall()

    def render(self, env):
        """Executes docker/airflow-home/webserver_config.py with ``env`` as the process environment."""
        saved = dict(os.environ)
        os.environ.clear()
        os.environ.update(env)
        try:
            spec = importlib.util.spec_from_file_location("webserver_config_under_test", WEBSERVER_CONFIG)
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            # What Flask's config.from_pyfile keeps: the upper-case names.
            return {name: value for name, value in vars(module).items() if name.isupper()}
        finally:
            os.environ.clear()
            os.environ.update(saved)

    def test_keeps_password_login_without_oidc_and_needs_no_fab_provider(self):
        # GIVEN only flask_appbuilder.const importable (no Airflow) WHEN rendered without OIDC variables
        fab_stub.install_const_only()
        config = self.render({})
        # THEN it is FAB's password login with CSRF protection, nothing more
        self.assertEqual(config, {"WTF_CSRF_ENABLED": True, "WTF_CSRF_TIME_LIMIT": None, "AUTH_TYPE": fab_stub.AUTH_DB})

    def test_renders_oauth_from_the_environment(self):
        fab_stub.install()
        with self.assertLogs("webserver_config_under_test", "INFO") as logs:
            config = self.render(ENV)
        self.assertEqual(config["AUTH_TYPE"], fab_stub.AUTH_OAUTH)
        self.assertEqual({key: value for key, value in config.items() if key in oidc.flask_config(SETTINGS)}, oidc.flask_config(SETTINGS))
        self.assertTrue(issubclass(config["SECURITY_MANAGER_CLASS"], fab_stub.FabAirflowSecurityManagerOverride))
        # AND the log names the callback URL to register at the provider, never the secret
        self.assertIn("callback URL https://airflow.example.com/auth/oauth-authorized/corp", logs.output[0])
        self.assertNotIn("s3cr3t", "\n".join(logs.output))

    def test_fails_on_a_half_configured_provider(self):
        fab_stub.install()
        with self.assertRaises(oidc.OidcConfigError):
            self.render({**ENV, "AIRFLOW_ECS_OIDC_CLIENT_ID": ""})


if __name__ == "__main__":
    unittest.main()
