"""
FAB web server configuration of the Airflow ECS image (``[fab] config_file``: ``$AIRFLOW_HOME/webserver_config.py``).

The settings of FAB's own default file, shipped so that nothing tries to create the file at runtime on the read-only
root filesystem. Users live in the metadata database (``airflow users``; the migrate task creates the first admin).
"""

from flask_appbuilder.const import AUTH_DB

WTF_CSRF_ENABLED = True
WTF_CSRF_TIME_LIMIT = None
AUTH_TYPE = AUTH_DB
