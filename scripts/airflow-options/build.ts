/**
 * Builds the option catalogue (config/airflow-options/catalogue.json) from parsed templates: names, types, defaults,
 * flags and version fields only (no descriptions), and serializes it deterministically.
 */
import type { AirflowOptionCatalogue, AirflowOptionSourceFile, AirflowOptionSpec } from "../../config/airflow-options/catalogue";
import { FREE_FORM_SECTIONS, SourceError, type TemplateFile } from "./sources";
import { parseTemplate, type TemplateValue } from "./template";
import { compareVersions } from "./versions";

type Mapping = { [key: string]: TemplateValue };
type MutableOptions = Record<string, Record<string, AirflowOptionSpec>>;

/** A template file with where it came from. */
export interface SourceTemplate {
  readonly file: TemplateFile;
  readonly commit: string | null;
  /** The package version when known from outside the file (core: __init__.py or the provenance file). */
  readonly version: string | null;
}

export interface CatalogueInput {
  /** The Airflow version the catalogue is for (the image's). */
  readonly airflowVersion: string;
  readonly repository: string;
  readonly core: SourceTemplate;
  readonly providers: readonly SourceTemplate[];
  /** Added to the generated note (e.g. how the sources were obtained). */
  readonly extraNote?: string;
}

const isMapping = (value: TemplateValue | undefined): value is Mapping => typeof value === "object" && value !== null && !Array.isArray(value);

/** The catalogue entry of one option; `where` names it in errors. */
export function optionSpec(raw: TemplateValue, provider: string, where: string): AirflowOptionSpec {
  if (!isMapping(raw)) throw new SourceError(`${where}: expected a mapping of option fields`);
  if (typeof raw.type !== "string") throw new SourceError(`${where}: has no type (the template schema requires one)`);
  const def = raw.default ?? null;
  if (def !== null && typeof def !== "string") throw new SourceError(`${where}: default is not a scalar`);
  const flag = (value: TemplateValue | undefined) => typeof value === "string" && value.toLowerCase() === "true";
  const versionDeprecated = typeof raw.version_deprecated === "string" ? raw.version_deprecated : undefined;
  return {
    type: raw.type,
    default: def,
    sensitive: flag(raw.sensitive),
    provider,
    ...(versionDeprecated !== undefined || flag(raw.deprecated) ? { deprecated: true as const } : {}),
    ...(typeof raw.version_added === "string" ? { versionAdded: raw.version_added } : {}),
    ...(versionDeprecated !== undefined ? { versionDeprecated } : {}),
  };
}

/** Adds a template section's options to `out`; returns the `section.key` names `keep` rejected. */
function addSection(out: MutableOptions, section: string, raw: TemplateValue, provider: string, where: string, keep: (s: AirflowOptionSpec) => boolean) {
  if (!isMapping(raw)) throw new SourceError(`${where}: section [${section}] is not a mapping`);
  const options = raw.options ?? {};
  if (!isMapping(options)) throw new SourceError(`${where}: [${section}] options is not a mapping`);
  const rejected: string[] = [];
  const target = out[section] ?? {};
  for (const [key, value] of Object.entries(options)) {
    const spec = optionSpec(value, provider, `${where}: [${section}] ${key}`);
    const existing = target[key];
    if (existing) throw new SourceError(`${where}: [${section}] ${key} is also declared by ${existing.provider}`);
    if (keep(spec)) target[key] = spec;
    else rejected.push(`${section}.${key}`);
  }
  if (Object.keys(target).length > 0 || Object.keys(options).length === 0) out[section] = target;
  return rejected;
}

/** The provider package's name and version (first entry of `versions:`) from its provider.yaml. */
function providerIdentity(template: Mapping, file: TemplateFile): { name: string; version: string | null } {
  const name = template["package-name"];
  if (typeof name !== "string") throw new SourceError(`${file.path}: has no package-name`);
  const versions = template.versions;
  return { name, version: Array.isArray(versions) && typeof versions[0] === "string" ? versions[0] : null };
}

function sourceFile(name: string, version: string | null, input: CatalogueInput, source: SourceTemplate): AirflowOptionSourceFile {
  return { package: name, version, repository: input.repository, path: source.file.path, commit: source.commit };
}

/** The core options kept (version_added not newer than the target Airflow) and the names left out. */
function coreOptions(input: CatalogueInput, out: MutableOptions): string[] {
  const template = parseTemplate(input.core.file);
  const newer = (spec: AirflowOptionSpec) => spec.versionAdded !== undefined && compareVersions(spec.versionAdded, input.airflowVersion) > 0;
  return Object.entries(template).flatMap(([section, raw]) => addSection(out, section, raw, "core", input.core.file.path, (s) => !newer(s)));
}

/** Adds each provider's `config:` sections; returns the source entries of providers with and without one. */
function providerOptions(input: CatalogueInput, out: MutableOptions) {
  const withConfig: AirflowOptionSourceFile[] = [];
  const withoutConfig: AirflowOptionSourceFile[] = [];
  for (const source of input.providers) {
    const template = parseTemplate(source.file);
    const { name, version } = providerIdentity(template, source.file);
    const entry = sourceFile(name, version ?? source.version, input, source);
    const config = template.config;
    if (config === undefined || config === null) {
      withoutConfig.push(entry);
      continue;
    }
    if (!isMapping(config)) throw new SourceError(`${source.file.path}: config is not a mapping`);
    for (const [section, raw] of Object.entries(config)) addSection(out, section, raw, name, source.file.path, () => true);
    withConfig.push(entry);
  }
  const byPackage = (a: AirflowOptionSourceFile, b: AirflowOptionSourceFile) => (a.package < b.package ? -1 : a.package > b.package ? 1 : 0);
  return { withConfig: withConfig.sort(byPackage), withoutConfig: withoutConfig.sort(byPackage) };
}

/** Says where the sources differ from the target Airflow version; generated, so it stays true when regenerated. */
export function composeNote(input: CatalogueInput, excluded: readonly string[]): string {
  const target = input.airflowVersion;
  const core = input.core.version;
  const parts: string[] = [];
  if (core === null) parts.push(`The apache-airflow-core version of ${input.core.file.path} is unknown, so it may differ from ${target}.`);
  else if (core !== target) parts.push(`${input.core.file.path} is from apache-airflow-core ${core}, not ${target}.`);
  else parts.push(`${input.core.file.path} is from apache-airflow-core ${target}.`);
  if (excluded.length > 0) parts.push(`${excluded.length} core options whose version_added is newer than ${target} are left out (excludedNewerThanAirflow).`);
  if (core !== target) parts.push(`Options ${target} has that these sources removed, renamed, moved or retyped cannot be detected from them.`);
  parts.push(
    `Provider options come from the provider.yaml versions listed in generatedFrom and are not filtered by version: ` +
      `the image installs the provider versions pinned by Airflow ${target}'s constraints, which may be older.`,
  );
  if (input.extraNote) parts.push(input.extraNote);
  return parts.join(" ");
}

/** The catalogue for the given templates. */
export function buildCatalogue(input: CatalogueInput): AirflowOptionCatalogue {
  const options: MutableOptions = {};
  const excluded = coreOptions(input, options).sort();
  const providers = providerOptions(input, options);
  const coreEntry = sourceFile("apache-airflow-core", input.core.version, input, input.core);
  return {
    source: {
      airflow: input.airflowVersion,
      generatedFrom: [coreEntry, ...providers.withConfig],
      providersWithoutConfig: providers.withoutConfig,
      excludedNewerThanAirflow: excluded,
      note: composeNote(input, excluded),
    },
    options,
    freeFormSections: Object.keys(FREE_FORM_SECTIONS)
      .filter((section) => section in options)
      .sort(),
  };
}

/** A copy with the keys of every object in code-unit order (arrays keep their order). */
export function sortKeysDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeysDeep);
  if (typeof value !== "object" || value === null) return value;
  const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return Object.fromEntries(entries.map(([k, v]) => [k, sortKeysDeep(v)]));
}

/** The file text: sorted keys, 2-space indent, trailing newline. */
export function serializeCatalogue(catalogue: AirflowOptionCatalogue): string {
  return `${JSON.stringify(sortKeysDeep(catalogue), null, 2)}\n`;
}

/** Number of sections and options, for messages. */
export function catalogueSize(catalogue: AirflowOptionCatalogue): { sections: number; options: number } {
  const sections = Object.values(catalogue.options);
  return { sections: sections.length, options: sections.reduce((n, s) => n + Object.keys(s).length, 0) };
}
