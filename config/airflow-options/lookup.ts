/**
 * The Airflow configuration options that exist in the image: every `[section] key` of Airflow's own config template
 * and of the config templates of the providers the image installs, with type, default, sensitivity and version
 * fields. The data is catalogue.json next to this file, generated from upstream's templates by
 * scripts/airflow-options/generate.ts (see README.md here for the sources and the regeneration command); this module
 * only loads it (once, at import) and answers lookups for configuration validation. Config layer: Node built-ins and
 * files inside config/ only.
 */
import catalogueJson from "./catalogue.json";

/** One option as the template declares it. `default` is the template's text (null when it declares none). */
export interface AirflowOptionSpec {
  /** The template's `type`: string, integer, float, boolean (Airflow does not enforce it for every `string`). */
  readonly type: string;
  readonly default: string | null;
  /** Airflow masks the value (UI, logs) and allows the `_cmd` / `_secret` variants for it. */
  readonly sensitive: boolean;
  /** "core" or the provider package that declares the option (e.g. apache-airflow-providers-celery). */
  readonly provider: string;
  readonly deprecated?: true;
  /** Airflow's version for core options, the provider's version for provider options. */
  readonly versionAdded?: string;
  readonly versionDeprecated?: string;
}

/** A template file the catalogue was generated from. */
export interface AirflowOptionSourceFile {
  readonly package: string;
  readonly version: string | null;
  readonly repository: string;
  readonly path: string;
  readonly commit: string | null;
}

export interface AirflowOptionCatalogue {
  readonly source: {
    /** The Airflow version the catalogue describes (the image's). */
    readonly airflow: string;
    readonly generatedFrom: readonly AirflowOptionSourceFile[];
    /** Installed providers whose provider.yaml has no `config:` section. */
    readonly providersWithoutConfig: readonly AirflowOptionSourceFile[];
    /** `section.key` of core options left out because their `version_added` is newer than `airflow`. */
    readonly excludedNewerThanAirflow: readonly string[];
    /** Where the sources differ from `airflow`. */
    readonly note: string;
  };
  readonly options: Readonly<Record<string, Readonly<Record<string, AirflowOptionSpec>>>>;
  /** Sections whose keys are passed on to a library, so any key is accepted (reasons: scripts/airflow-options). */
  readonly freeFormSections: readonly string[];
}

function fail(problem: string): never {
  throw new Error(`config/airflow-options/catalogue.json is invalid (regenerate it, see config/airflow-options/README.md): ${problem}`);
}

function checkSpec(where: string, spec: unknown): void {
  const s = spec as Record<string, unknown>;
  if (typeof s !== "object" || s === null) fail(`${where} is not an object`);
  if (typeof s.type !== "string") fail(`${where}.type is not a string`);
  if (typeof s.default !== "string" && s.default !== null) fail(`${where}.default is neither a string nor null`);
  if (typeof s.sensitive !== "boolean") fail(`${where}.sensitive is not a boolean`);
  if (typeof s.provider !== "string") fail(`${where}.provider is not a string`);
}

/** The shape check done once at load, so a hand-edited or truncated file fails with a clear message. */
function checkCatalogue(raw: unknown): AirflowOptionCatalogue {
  const c = raw as Record<string, unknown>;
  const source = c?.source as Record<string, unknown> | undefined;
  if (typeof source?.airflow !== "string") fail("source.airflow is not a string");
  if (!Array.isArray(c.freeFormSections)) fail("freeFormSections is not an array");
  if (typeof c.options !== "object" || c.options === null) fail("options is not an object");
  for (const [section, options] of Object.entries(c.options as Record<string, Record<string, unknown>>)) {
    for (const [key, spec] of Object.entries(options)) checkSpec(`options.${section}.${key}`, spec);
  }
  return raw as AirflowOptionCatalogue;
}

export const AIRFLOW_OPTION_CATALOGUE: AirflowOptionCatalogue = checkCatalogue(catalogueJson as unknown);

/**
 * Section and key names are matched case-insensitively, as Airflow does: AirflowConfigParser.get() lower-cases both
 * (`section = section.lower(); key = key.lower()`, airflow-core/src/airflow/configuration.py), option names in
 * airflow.cfg are lower-cased by configparser's default `optionxform`, and environment variables are upper case.
 * The templates themselves use lower-case names.
 */
const INDEX: ReadonlyMap<string, ReadonlyMap<string, AirflowOptionSpec>> = new Map(
  Object.entries(AIRFLOW_OPTION_CATALOGUE.options).map(([section, options]) => [
    section.toLowerCase(),
    new Map(Object.entries(options).map(([key, spec]) => [key.toLowerCase(), spec])),
  ]),
);

const FREE_FORM = new Set(AIRFLOW_OPTION_CATALOGUE.freeFormSections.map((s) => s.toLowerCase()));

/** Every option as [section, key], sorted, for suggestions. */
const ALL_OPTIONS: readonly (readonly [string, string])[] = [...INDEX.entries()]
  .flatMap(([section, options]) => [...options.keys()].map((key) => [section, key] as const))
  .sort(([s1, k1], [s2, k2]) => (s1 === s2 ? compareText(k1, k2) : compareText(s1, s2)));

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The Airflow version the catalogue describes. */
export function catalogueAirflowVersion(): string {
  return AIRFLOW_OPTION_CATALOGUE.source.airflow;
}

/** The option `[section] key` (case-insensitive), or undefined when neither Airflow nor an installed provider has it. */
export function findOption(section: string, key: string): AirflowOptionSpec | undefined {
  return INDEX.get(section.toLowerCase())?.get(key.toLowerCase());
}

/** Whether the section exists in the catalogue at all (case-insensitive). */
export function isKnownSection(section: string): boolean {
  return INDEX.has(section.toLowerCase());
}

/** Whether any key is accepted in the section (its keys are handed to a library as keyword arguments). */
export function isFreeFormSection(section: string): boolean {
  return FREE_FORM.has(section.toLowerCase());
}

/**
 * The environment variable that sets `[section] key`: AIRFLOW__{SECTION}__{KEY}, upper case, dots in the section name
 * turned into underscores. Airflow's rule, AirflowConfigParser._env_var_name in airflow-core/src/airflow/configuration.py:
 * `f"{ENV_VAR_PREFIX}{section.replace('.', '_').upper()}__{key.upper()}"` with ENV_VAR_PREFIX = "AIRFLOW__".
 */
export function environmentVariableName(section: string, key: string): string {
  return `AIRFLOW__${section.replace(/\./g, "_").toUpperCase()}__${key.toUpperCase()}`;
}

/** The type and flags of an option, for messages: `integer, default "32"`, `string, no default, sensitive`. */
export function describeOptionType(spec: AirflowOptionSpec): string {
  const parts = [spec.type, spec.default === null ? "no default" : `default ${JSON.stringify(spec.default)}`];
  if (spec.sensitive) parts.push("sensitive");
  if (spec.deprecated) parts.push(spec.versionDeprecated ? `deprecated since ${spec.versionDeprecated}` : "deprecated");
  return parts.join(", ");
}

/** Optimal string alignment distance (Damerau–Levenshtein with adjacent transpositions, no substring edited twice). */
export function editDistance(a: string, b: string): number {
  const rows: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) rows[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      rows[i][j] = Math.min(rows[i - 1][j] + 1, rows[i][j - 1] + 1, rows[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) rows[i][j] = Math.min(rows[i][j], rows[i - 2][j - 2] + 1);
    }
  }
  return rows[a.length][b.length];
}

/** How far `name` is from an option: the full dotted names compared, or the key alone (one edit for the other section). */
function suggestionScore(name: string, keyPart: string, section: string, key: string): number | undefined {
  const full = editDistance(name, `${section}.${key}`);
  const byKey = editDistance(keyPart, key) + 1;
  const score = Math.min(full, byKey);
  const fullLimit = Math.max(2, Math.floor(name.length / 3));
  const keyLimit = Math.max(1, Math.floor(keyPart.length / 4)) + 1;
  return full <= fullLimit || byKey <= keyLimit ? score : undefined;
}

/**
 * "Did you mean" suggestions for a dotted option name (`section.key`, case-insensitive): the closest `section.key`
 * names by edit distance on the whole name, or on the key alone so that `scheduler.parallelism` finds
 * `core.parallelism`. Closest first, ties in alphabetical order; at most `limit`.
 */
export function closestOptions(name: string, limit = 3): string[] {
  const wanted = name.trim().toLowerCase();
  const keyPart = wanted.slice(wanted.lastIndexOf(".") + 1);
  const scored: { name: string; score: number }[] = [];
  for (const [section, key] of ALL_OPTIONS) {
    const score = suggestionScore(wanted, keyPart, section, key);
    if (score !== undefined) scored.push({ name: `${section}.${key}`, score });
  }
  scored.sort((a, b) => a.score - b.score || compareText(a.name, b.name));
  return scored.slice(0, limit).map((s) => s.name);
}
