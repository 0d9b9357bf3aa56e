"""
FAB web server configuration of the Airflow ECS image (``[fab] config_file``: ``$AIRFLOW_HOME/webserver_config.py``).

Shipped so that nothing tries to create the file at runtime on the read-only root filesystem. By default FAB's
password login: users live in the metadata database (``airflow users``; the migrate task creates the first admin).
When the task definition sets the OIDC variables of ``airflow_ecs.oidc`` (the api-server of an environment with
``airflow.auth.kind = "oidc"``), sign-in goes through the OpenID Connect provider instead (``airflow_ecs.oidc``); a
half-configured provider fails the import, so the api-server does not start with a broken login.
"""

import logging
import os

from flask_appbuilder import const

from airflow_ecs import oidc

WTF_CSRF_ENABLED = True
WTF_CSRF_TIME_LIMIT = None
AUTH_TYPE = const.AUTH_DB

# Lower-case names stay out of the Flask configuration (Flask reads the upper-case ones).
oidc_settings = oidc.settings_from_env(os.environ)
if oidc_settings is not None:
    logging.getLogger(__name__).info(
        "Sign-in through OIDC provider %r (%s); callback URL %s", oidc_settings.provider, oidc_settings.issuer_url, oidc_settings.callback_url
    )
    AUTH_TYPE = const.AUTH_OAUTH
    globals().update(oidc.flask_config(oidc_settings))
    SECURITY_MANAGER_CLASS = oidc.security_manager_class(oidc_settings)
