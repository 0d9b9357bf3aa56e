/**
 * Where the option templates are in a checkout of apache/airflow, which providers the image installs, and which
 * sections accept arbitrary keys.
 */
import * as fs from "fs";
import * as path from "path";

/** Airflow's own option template. */
export const CORE_CONFIG_PATH = "airflow-core/src/airflow/config_templates/config.yml";
/** Holds `__version__` of apache-airflow-core. */
export const CORE_INIT_PATH = "airflow-core/src/airflow/__init__.py";

/**
 * The providers installed in the image (docker/Dockerfile: the official apache/airflow image plus docker/requirements.txt),
 * as provider ids (the folder under providers/ with "/" written as "."). Where the list comes from:
 * - the official image's default extras, apache/airflow Dockerfile `ARG AIRFLOW_EXTRAS` for Airflow 3.x:
 *   aiobotocore, amazon, async, celery, cncf-kubernetes, common-io, common-messaging, docker, elasticsearch, fab, ftp,
 *   git, google, google-auth, graphviz, grpc, hashicorp, http, ldap, microsoft-azure, mysql, odbc, openlineage,
 *   pandas, postgres, redis, sendgrid, sftp, slack, snowflake, ssh, statsd, uv. Extras without a provider package
 *   (aiobotocore -> amazon, async, google-auth, graphviz, ldap, pandas, statsd, uv) add none;
 * - the providers apache-airflow-core 3.1 depends on (pre-installed everywhere): common-compat, common-io, common-sql,
 *   smtp, standard;
 * - docker/requirements.txt: apache-airflow-providers-git (already among the extras since Airflow 3.0).
 * Only the providers whose provider.yaml has a `config:` section contribute options; the others are listed in the
 * catalogue's source.providersWithoutConfig.
 */
export const IMAGE_PROVIDERS: readonly string[] = [
  "amazon",
  "celery",
  "cncf.kubernetes",
  "common.compat",
  "common.io",
  "common.messaging",
  "common.sql",
  "docker",
  "elasticsearch",
  "fab",
  "ftp",
  "git",
  "google",
  "grpc",
  "hashicorp",
  "http",
  "microsoft.azure",
  "mysql",
  "odbc",
  "openlineage",
  "postgres",
  "redis",
  "sendgrid",
  "sftp",
  "slack",
  "smtp",
  "snowflake",
  "ssh",
  "standard",
];

/**
 * Sections whose keys Airflow hands on to a library, so keys the template does not list are valid. The templates have
 * no machine-readable marker for this; each entry says where it is documented.
 */
export const FREE_FORM_SECTIONS: Readonly<Record<string, string>> = {
  celery_broker_transport_options:
    "celery provider.yaml: 'options which can be passed to the underlying celery broker transport' (Celery broker_transport_options)",
  celery_result_backend_transport_options:
    "celery provider.yaml: 'options which can be passed to the underlying celery result backend transport' (Celery result_backend_transport_options)",
  elasticsearch_configs:
    "elasticsearch provider: get_es_kwargs_from_config() passes every key of conf.getsection('elasticsearch_configs') that is an Elasticsearch() keyword argument",
  sentry: "config.yml [sentry]: 'Here you can supply additional configuration options based on the Python platform' (sentry_sdk.init options)",
};

/** An error in the sources (missing file, unparsable template): printed without a stack trace by the CLI. */
export class SourceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SourceError";
  }
}

/** providers/<id with dots as folders>/provider.yaml */
export function providerYamlPath(id: string): string {
  return `providers/${id.split(".").join("/")}/provider.yaml`;
}

/** A template file of the checkout: its path relative to the checkout and its text. */
export interface TemplateFile {
  readonly path: string;
  readonly text: string;
}

export function readTemplate(source: string, relative: string, hint: string): TemplateFile {
  const file = path.join(source, relative);
  if (!fs.existsSync(file)) throw new SourceError(`${relative} not found in ${source}: ${hint}`);
  return { path: relative, text: fs.readFileSync(file, "utf8") };
}

/** `__version__` of apache-airflow-core in the checkout, or undefined when __init__.py is absent or has none. */
export function coreVersion(source: string): string | undefined {
  const file = path.join(source, CORE_INIT_PATH);
  if (!fs.existsSync(file)) return undefined;
  return /^__version__\s*=\s*["']([^"']+)["']/m.exec(fs.readFileSync(file, "utf8"))?.[1];
}

/** The checkout's config.yml and the provider.yaml of each provider id; throws SourceError naming what is missing. */
export function readSources(source: string, providers: readonly string[]): { core: TemplateFile; providers: { id: string; file: TemplateFile }[] } {
  if (!fs.existsSync(source) || !fs.statSync(source).isDirectory()) throw new SourceError(`--source: no such directory: ${source}`);
  const core = readTemplate(source, CORE_CONFIG_PATH, "--source must be a checkout of apache/airflow (Airflow 3 layout, airflow-core/)");
  const files = providers.map((id) => ({
    id,
    file: readTemplate(source, providerYamlPath(id), `provider "${id}" is in the provider list; change it with --providers`),
  }));
  return { core, providers: files };
}
