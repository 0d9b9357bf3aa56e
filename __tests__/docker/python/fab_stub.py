"""
Stand-ins for the two names the image's sign-in code imports from FAB and Airflow's FAB provider:
``flask_appbuilder.const`` (the AUTH_* constants) and ``FabAirflowSecurityManagerOverride``. They hold only what the
code touches (the constants' values are FAB's); they do not emulate FAB.
"""

import sys
import types

AUTH_DB = 1
AUTH_OAUTH = 4

OVERRIDE_MODULE = "airflow.providers.fab.auth_manager.security_manager.override"


class FabAirflowSecurityManagerOverride:
    """What FAB's security manager offers the image's subclass: the registered Authlib clients by provider name."""

    def __init__(self, appbuilder, oauth_remotes=None):
        self.appbuilder = appbuilder
        self.oauth_remotes = oauth_remotes or {}


def install():
    """Registers ``flask_appbuilder.const`` and the provider's override module (with their parent packages)."""
    const = types.ModuleType("flask_appbuilder.const")
    const.AUTH_DB, const.AUTH_OAUTH = AUTH_DB, AUTH_OAUTH
    override = types.ModuleType(OVERRIDE_MODULE)
    override.FabAirflowSecurityManagerOverride = FabAirflowSecurityManagerOverride
    parts = OVERRIDE_MODULE.split(".")
    for name in ["flask_appbuilder"] + [".".join(parts[:i]) for i in range(1, len(parts))]:
        package = types.ModuleType(name)
        package.__path__ = []
        sys.modules[name] = package
    sys.modules[const.__name__], sys.modules[OVERRIDE_MODULE] = const, override


def install_const_only():
    """Only ``flask_appbuilder.const``: an image without Airflow's FAB provider importable."""
    const = types.ModuleType("flask_appbuilder.const")
    const.AUTH_DB, const.AUTH_OAUTH = AUTH_DB, AUTH_OAUTH
    package = types.ModuleType("flask_appbuilder")
    package.__path__ = []
    sys.modules["flask_appbuilder"], sys.modules[const.__name__] = package, const


def uninstall():
    for name in [n for n in sys.modules if n.split(".")[0] in ("flask_appbuilder", "airflow")]:
        del sys.modules[name]
