/**
 * Validation of an environment's own Airflow options (`airflow.config`, `airflow.componentConfig.<component>`): each
 * `"section.key": value` is checked against the option catalogue (unknown names get "did you mean"), against the
 * options the platform manages (refused, naming what controls them), for its type, and for secrets in plain text
 * (refused: a Secrets Manager reference is accepted instead). Pure functions: input is the raw value from the file,
 * output is the accepted settings and the problems, each naming the option and what is allowed.
 */
import type { FieldIssue } from "../spec/check";
import type { Component } from "../../runtime/airflow-image";
import {
  catalogueAirflowVersion,
  closestOptions,
  describeOptionType,
  environmentVariableName,
  findOption,
  isFreeFormSection,
  isKnownSection,
  type AirflowOptionSpec,
} from "./lookup";
import { MANAGED_OPTIONS } from "./managed";

/** A value kept in Secrets Manager, injected by ECS at task start (never in the task definition). */
export interface SecretReference {
  readonly secretArn: string;
}

/** What an option may be set to in the environment file. */
export type AirflowOptionValue = string | number | boolean | SecretReference;

/** `airflow.config`: `"section.key": value`. */
export type AirflowOptions = Readonly<Record<string, AirflowOptionValue>>;

/** `airflow.componentConfig` keys, and the component each means. */
export const OPTION_COMPONENTS = {
  apiServer: "api-server",
  scheduler: "scheduler",
  dagProcessor: "dag-processor",
  triggerer: "triggerer",
  worker: "worker",
  flower: "flower",
  migrate: "migrate",
} as const satisfies Record<string, Component>;
export type OptionComponent = keyof typeof OPTION_COMPONENTS;

/** `airflow.componentConfig`: options for one component only, overriding `airflow.config` there. */
export type ComponentAirflowOptions = Readonly<Partial<Record<OptionComponent, AirflowOptions>>>;

/** One accepted option. */
export interface AirflowOptionSetting {
  /** `section.key`, lower case (Airflow matches names case-insensitively). */
  readonly option: string;
  /** The environment variable that sets it, e.g. AIRFLOW__CORE__PARALLELISM. */
  readonly variable: string;
  /** The value as Airflow reads it from the environment, or the secret that holds it. */
  readonly value: { readonly text: string } | { readonly secretArn: string };
  /** The number given, for rules on numeric options. */
  readonly number?: number;
  /** Where it was set, e.g. `airflow.config["core.parallelism"]`. */
  readonly path: string;
}

export interface OptionsContext {
  readonly accountId: string;
  readonly region: string;
  /** Options the platform checks against its rules, so their value must be given in plain text. */
  readonly plainOnly?: ReadonlySet<string>;
}

/** How Airflow reads the option: the template's type, or for `string` options the type their default shows. */
export type OptionKind = "integer" | "float" | "boolean" | "string";

export function optionKind(spec: AirflowOptionSpec): OptionKind {
  if (spec.type === "integer" || spec.type === "float" || spec.type === "boolean") return spec.type;
  // Some templates declare numeric and boolean options as `string`; Airflow still reads them with getint/getboolean.
  if (spec.default !== null && /^-?\d+$/.test(spec.default)) return "integer";
  if (spec.default !== null && /^(True|False)$/i.test(spec.default)) return "boolean";
  return "string";
}

const SECRET_ARN = /^arn:aws[a-z-]*:secretsmanager:([a-z0-9-]+):(\d{12}):secret:[A-Za-z0-9/_+=.@-]+-[A-Za-z0-9]{6}$/;
/** Key names of free-form sections (no catalogue entry) that hold credentials. */
const SECRET_NAME = /(password|passwd|secret|token|credential|private_key|api_key|access_key|_dsn$|^dsn$)/i;
/** Catalogue options are secret when marked sensitive, or when named for a password. */
const PASSWORD_NAME = /(password|passwd)/i;
/** A URL carrying a password: scheme://user:password@host. */
const CREDENTIAL_URL = /^[a-z][a-z0-9+.-]*:\/\/[^/\s:@]*:[^@\s]+@/i;
const OPTION_NAME = /^([A-Za-z0-9_.]+)\.([A-Za-z0-9_]+)$/;

type Report = (path: string, value: unknown, problem: string) => void;

function typeName(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "list";
  return typeof value === "object" ? "object" : typeof value;
}

function secretExample(context: OptionsContext): string {
  return `{"secretArn": "arn:aws:secretsmanager:${context.region}:${context.accountId}:secret:<name>-AbC123"}`;
}

/** The text Airflow reads for a plain value, or a problem when the value does not fit the option's kind. */
function renderPlain(kind: OptionKind | "any", value: string | number | boolean): { text: string; number?: number } | { problem: string } {
  const expected = { integer: "an integer", float: "a number", boolean: "true or false", string: "a string", any: "a string, number or boolean" }[kind];
  switch (kind) {
    case "integer":
      return typeof value === "number" && Number.isInteger(value) ? { text: String(value), number: value } : { problem: `expected ${expected}` };
    case "float":
      return typeof value === "number" && Number.isFinite(value) ? { text: String(value), number: value } : { problem: `expected ${expected}` };
    case "boolean":
      return typeof value === "boolean" ? { text: value ? "True" : "False" } : { problem: `expected ${expected}` };
    case "string":
      return typeof value === "string" ? { text: value } : { problem: `expected ${expected}` };
    case "any":
      return typeof value === "boolean" ? { text: value ? "True" : "False" } : { text: String(value), ...(typeof value === "number" ? { number: value } : {}) };
  }
}

/** Checks a `{ "secretArn": ... }` value; returns the ARN when it is one of the environment's account and region. */
function checkSecretReference(value: object, path: string, context: OptionsContext, report: Report): string | undefined {
  const keys = Object.keys(value);
  const arn = (value as Record<string, unknown>).secretArn;
  if (keys.length !== 1 || typeof arn !== "string") {
    report(path, value, `is an object but not a secret reference; expected a plain value or exactly ${secretExample(context)}`);
    return undefined;
  }
  const match = SECRET_ARN.exec(arn);
  if (!match) {
    report(
      path,
      value,
      `has a secretArn that is not a full Secrets Manager secret ARN (ending in the 6-character suffix Secrets Manager adds to the name); expected ${secretExample(context)}`,
    );
    return undefined;
  }
  const [, region, account] = match;
  if (region !== context.region || account !== context.accountId) {
    report(path, value, `names a secret of ${account}/${region}; expected a secret of account ${context.accountId} in ${context.region}`);
    return undefined;
  }
  return arn;
}

/** Why `section.key` cannot be given at all (managed, a _cmd/_secret variant, unknown), or its spec (undefined for free-form keys). */
function lookUp(section: string, key: string, path: string, value: unknown, context: OptionsContext, report: Report): { spec?: AirflowOptionSpec } | undefined {
  const option = `${section}.${key}`;
  const managed = MANAGED_OPTIONS[option];
  if (managed) {
    report(path, value, `is managed by the platform (${managed.reason}); set ${managed.controlledBy} instead`);
    return undefined;
  }
  const variant = /^(.+)_(cmd|secret)$/.exec(key);
  if (variant && !findOption(section, key) && findOption(section, variant[1])) {
    const base = `${section}.${variant[1]}`;
    const baseManaged = MANAGED_OPTIONS[base];
    report(
      path,
      value,
      baseManaged
        ? `is the _${variant[2]} variant of ${base}, which is managed by the platform (${baseManaged.reason}); set ${baseManaged.controlledBy} instead`
        : `is the _${variant[2]} variant of ${base}; the _cmd and _secret variants are not accepted: set ${base} to ${secretExample(context)}`,
    );
    return undefined;
  }
  const spec = findOption(section, key);
  if (spec) return { spec };
  if (isFreeFormSection(section)) return {};
  const suggestions = closestOptions(option);
  const where = isKnownSection(section) ? `[${section}] has no option ${key}` : `there is no section [${section}]`;
  report(
    path,
    value,
    `is not an option of Airflow ${catalogueAirflowVersion()} or its installed providers (${where}); ${
      suggestions.length > 0 ? `did you mean ${suggestions.join(" or ")}?` : "see config/airflow-options/catalogue.json for every option"
    }`,
  );
  return undefined;
}

/** Checks one `"section.key": value` entry; returns the setting when it is accepted. */
function checkEntry(name: string, value: unknown, path: string, context: OptionsContext, report: Report): AirflowOptionSetting | undefined {
  const parts = OPTION_NAME.exec(name);
  if (!parts) {
    report(path, value, "is not an option name; expected section.key, e.g. core.parallelism");
    return undefined;
  }
  const section = parts[1].toLowerCase();
  const key = parts[2].toLowerCase();
  const option = `${section}.${key}`;
  const found = lookUp(section, key, path, value, context, report);
  if (!found) return undefined;
  const { spec } = found;
  const variable = environmentVariableName(section, key);
  const about = spec ? ` (${option}: ${describeOptionType(spec)})` : ` (free-form section [${section}])`;

  if (typeof value === "object" && value !== null && !Array.isArray(value)) {
    if (context.plainOnly?.has(option)) {
      report(path, value, `must be a plain value: the platform checks it against the environment's capacity and queue timing${about}`);
      return undefined;
    }
    const arn = checkSecretReference(value, path, context, report);
    return arn ? { option, variable, value: { secretArn: arn }, path } : undefined;
  }
  if (typeof value !== "string" && typeof value !== "number" && typeof value !== "boolean") {
    report(path, value, `is a ${typeName(value)}; expected a string, number or boolean, or ${secretExample(context)}${about}`);
    return undefined;
  }
  const secretName = spec ? spec.sensitive || PASSWORD_NAME.test(key) : SECRET_NAME.test(key);
  if (secretName || (typeof value === "string" && CREDENTIAL_URL.test(value))) {
    report(
      path,
      "(hidden)",
      `is a secret and would sit in plain text in the task definitions; keep it in Secrets Manager and give ${secretExample(context)}${about}`,
    );
    return undefined;
  }
  const rendered = renderPlain(spec ? optionKind(spec) : "any", value);
  if ("problem" in rendered) {
    report(path, value, `is a ${typeName(value)}; ${rendered.problem}${about}`);
    return undefined;
  }
  return { option, variable, value: { text: rendered.text }, ...(rendered.number !== undefined ? { number: rendered.number } : {}), path };
}

/**
 * Checks `airflow.config` (or one component's options) as found in the file. `path` is where it sits, e.g.
 * `airflow.config`; issues are reported at `<path>["section.key"]`.
 */
export function checkAirflowOptions(raw: unknown, path: string, context: OptionsContext): { issues: FieldIssue[]; settings: AirflowOptionSetting[] } {
  const issues: FieldIssue[] = [];
  const report: Report = (where, value, problem) => issues.push({ path: where, value, problem });
  if (raw === undefined) return { issues, settings: [] };
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    report(path, raw, `is a ${typeName(raw)}; expected an object of "section.key": value, e.g. {"core.parallelism": 64}`);
    return { issues, settings: [] };
  }
  const settings: AirflowOptionSetting[] = [];
  const seen = new Map<string, string>();
  for (const [name, value] of Object.entries(raw as Record<string, unknown>)) {
    const where = `${path}[${JSON.stringify(name)}]`;
    const setting = checkEntry(name, value, where, context, report);
    if (!setting) continue;
    const earlier = seen.get(setting.option);
    if (earlier !== undefined) {
      report(where, value, `sets ${setting.option} again (Airflow's names are case-insensitive; ${earlier} already sets it); expected each option once`);
      continue;
    }
    seen.set(setting.option, where);
    settings.push(setting);
  }
  return { issues, settings };
}

/** Checks `airflow.componentConfig`: an object of component -> options. */
export function checkComponentOptions(
  raw: unknown,
  path: string,
  context: OptionsContext,
): { issues: FieldIssue[]; settings: Readonly<Partial<Record<OptionComponent, AirflowOptionSetting[]>>> } {
  const issues: FieldIssue[] = [];
  const settings: Partial<Record<OptionComponent, AirflowOptionSetting[]>> = {};
  if (raw === undefined) return { issues, settings };
  const components = Object.keys(OPTION_COMPONENTS).join(", ");
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    issues.push({ path, value: raw, problem: `is a ${typeName(raw)}; expected an object with any of ${components}, each an object of "section.key": value` });
    return { issues, settings };
  }
  for (const [component, options] of Object.entries(raw as Record<string, unknown>)) {
    if (!Object.prototype.hasOwnProperty.call(OPTION_COMPONENTS, component)) {
      issues.push({ path: `${path}.${component}`, value: options, problem: `is not a component; expected one of ${components}` });
      continue;
    }
    const checked = checkAirflowOptions(options, `${path}.${component}`, context);
    issues.push(...checked.issues);
    settings[component as OptionComponent] = checked.settings;
  }
  return { issues, settings };
}
