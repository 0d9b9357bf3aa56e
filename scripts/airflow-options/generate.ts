/**
 * Generates config/airflow-options/catalogue.json, the list of every Airflow configuration option of the image
 * (Airflow's config.yml plus the `config:` sections of the installed providers' provider.yaml), from a checkout of
 * apache/airflow. Run after `npx tsc -p tsconfig.json`:
 *
 *   node dist/scripts/airflow-options/generate.js --source ../airflow
 *   node dist/scripts/airflow-options/generate.js --source ../airflow --check
 *
 * Exit status: 0 written (or, with --check, up to date); 1 with --check when the committed file differs (a summary of
 * the differences is printed); 2 on usage errors and unusable sources (missing template, invalid YAML).
 */
import * as fs from "fs";
import * as path from "path";
import type { AirflowOptionCatalogue } from "../../config/airflow-options/catalogue";
import { projectRoot } from "../../config/project-root";
import { CliError, parseCommandLine, runAsProcess, type Output } from "../lib/cli";
import { buildCatalogue, catalogueSize, serializeCatalogue, type SourceTemplate } from "./build";
import { driftMessage } from "./drift";
import { gitHead, NO_PROVENANCE, readProvenance, type Provenance } from "./provenance";
import { CORE_CONFIG_PATH, coreVersion, IMAGE_PROVIDERS, readSources, SourceError, type TemplateFile } from "./sources";

export const CATALOGUE_PATH = "config/airflow-options/catalogue.json";

export const USAGE = [
  "usage: node dist/scripts/airflow-options/generate.js --source <apache-airflow checkout> [--out <file>] [--check]",
  "         [--providers <id,id,...>] [--airflow-version <x.y.z>] [--provenance <file>] [--commit <sha>] [--repository <owner/name>]",
  "",
  `  --source <dir>          checkout of apache/airflow (reads ${CORE_CONFIG_PATH} and providers/<id>/provider.yaml)`,
  `  --out <file>            the catalogue to write or check (default ${CATALOGUE_PATH})`,
  "  --check                 write nothing; exit 1 with a summary when the file differs from what the sources generate",
  "  --providers <ids>       provider ids (folders under providers/, '.' for '/'); default: the image's providers",
  "                          (scripts/airflow-options/sources.ts IMAGE_PROVIDERS)",
  "  --airflow-version <v>   the Airflow version described (default: docker/Dockerfile ARG AIRFLOW_VERSION); core",
  "                          options whose version_added is newer are left out",
  "  --provenance <file>     per-file commits and versions for a checkout that is not a git work tree",
  "  --commit <sha>          the commit of every file (default: git rev-parse HEAD in --source, when it is a git work tree)",
  "  --repository <name>     the repository the files come from (default apache/airflow)",
  "  --help                  this text",
].join("\n");

interface GenerateOptions {
  readonly source: string;
  readonly out: string;
  readonly check: boolean;
  readonly providers: readonly string[];
  readonly airflowVersion: string;
  readonly provenance: Provenance;
  readonly commit?: string;
  readonly repository?: string;
}

/** The image's Airflow version: the default of `ARG AIRFLOW_VERSION=` in docker/Dockerfile. */
export function imageAirflowVersion(root: string = projectRoot()): string | undefined {
  const dockerfile = path.join(root, "docker", "Dockerfile");
  if (!fs.existsSync(dockerfile)) return undefined;
  return /^ARG AIRFLOW_VERSION=(\S+)\s*$/m.exec(fs.readFileSync(dockerfile, "utf8"))?.[1];
}

/** The options, or undefined for --help. */
function parseOptions(argv: readonly string[]): GenerateOptions | undefined {
  const { values, positionals } = parseCommandLine(
    argv,
    {
      source: { type: "string" },
      out: { type: "string" },
      check: { type: "boolean", default: false },
      providers: { type: "string" },
      "airflow-version": { type: "string" },
      provenance: { type: "string" },
      commit: { type: "string" },
      repository: { type: "string" },
      help: { type: "boolean", default: false },
    },
    USAGE,
  );
  if (values.help) return undefined;
  if (positionals.length > 0) throw new CliError(`unexpected argument "${positionals[0]}"\n\n${USAGE}`, 2);
  if (!values.source) throw new CliError(`--source <dir> is required\n\n${USAGE}`, 2);
  const airflowVersion = values["airflow-version"] ?? imageAirflowVersion();
  if (!airflowVersion) throw new CliError("cannot read ARG AIRFLOW_VERSION from docker/Dockerfile; pass --airflow-version", 2);
  const providers = values.providers === undefined ? IMAGE_PROVIDERS : values.providers.split(",").map((p) => p.trim());
  return {
    source: path.resolve(values.source),
    out: path.resolve(values.out ?? path.join(projectRoot(), CATALOGUE_PATH)),
    check: values.check,
    providers: providers.filter((p) => p !== ""),
    airflowVersion,
    provenance: values.provenance ? readProvenance(path.resolve(values.provenance)) : NO_PROVENANCE,
    commit: values.commit,
    repository: values.repository,
  };
}

/** A template with its commit and (when the provenance file knows it) version. */
function withOrigin(file: TemplateFile, options: GenerateOptions, head: string | undefined, version?: string): SourceTemplate {
  const known = options.provenance.files[file.path];
  return { file, commit: known?.commit ?? options.commit ?? head ?? null, version: version ?? known?.version ?? null };
}

/** The catalogue generated from the sources named by the options. */
export function generateCatalogue(options: GenerateOptions): AirflowOptionCatalogue {
  const sources = readSources(options.source, options.providers);
  const head = gitHead(options.source);
  return buildCatalogue({
    airflowVersion: options.airflowVersion,
    repository: options.repository ?? options.provenance.repository ?? "apache/airflow",
    core: withOrigin(sources.core, options, head, coreVersion(options.source)),
    providers: sources.providers.map(({ file }) => withOrigin(file, options, head)),
    extraNote: options.provenance.note,
  });
}

/** The command that regenerates the file, for messages: these arguments without --check. */
function regenerateCommand(argv: readonly string[]): string {
  return ["node dist/scripts/airflow-options/generate.js", ...argv.filter((a) => a !== "--check")].join(" ");
}

export function main(argv: readonly string[], out: Output): number {
  const options = parseOptions(argv);
  if (!options) {
    out.stdout(`${USAGE}\n`);
    return 0;
  }
  let catalogue: AirflowOptionCatalogue;
  try {
    catalogue = generateCatalogue(options);
  } catch (error) {
    if (error instanceof SourceError) throw new CliError(error.message, 2);
    throw error;
  }
  const text = serializeCatalogue(catalogue);
  const inCwd = path.relative(process.cwd(), options.out);
  const relative = inCwd && !inCwd.startsWith("..") && !path.isAbsolute(inCwd) ? inCwd : options.out;
  const { sections, options: count } = catalogueSize(catalogue);
  if (options.check) {
    const committed = fs.existsSync(options.out) ? fs.readFileSync(options.out, "utf8") : undefined;
    if (committed === text) {
      out.stdout(`${relative} is up to date (${sections} sections, ${count} options)\n`);
      return 0;
    }
    const command = regenerateCommand(argv);
    out.stderr(
      `${committed === undefined ? `${relative} does not exist. Run \`${command}\` and commit it.` : driftMessage(relative, committed, catalogue, command)}\n`,
    );
    return 1;
  }
  fs.mkdirSync(path.dirname(options.out), { recursive: true });
  fs.writeFileSync(options.out, text);
  out.stdout(`wrote ${relative}: ${sections} sections, ${count} options, Airflow ${catalogue.source.airflow}\n`);
  return 0;
}

if (require.main === module) runAsProcess(main);
