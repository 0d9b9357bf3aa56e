import { DataTerraformRemoteStateS3, TerraformOutput, TerraformStack, Token } from "cdktf";
import type { EnvironmentConfig } from "../../config/schema";
import { constructError } from "./construct-error";

/**
 * Stack contracts: the typed, documented set of outputs a stack publishes for the stacks after it.
 *
 * A producer publishes every output of its contract with `publishContract` (stable snake_case names, one
 * `TerraformOutput` each). A consumer reads them with `readContract`, which creates one `terraform_remote_state`
 * data source on the producer's S3 state object, records the stack dependency (so `cdktf deploy`, CI and the stack
 * order tool derive the order) and returns typed tokens. No cdktf automatic cross-stack references are used.
 */

export type StackKind = "network" | "storage" | "iam" | "compute" | "services";

/**
 * What an output holds: a string, a list of strings, a number, or a map of strings (keys known from config, e.g. one
 * entry per worker pool; a consumer reads an entry with `Fn.lookup`, which fails the plan when the key is missing).
 */
export type OutputKind = "string" | "list" | "number" | "map";

export interface OutputSpec<K extends OutputKind = OutputKind> {
  readonly kind: K;
  readonly description: string;
  /**
   * When the output holds a value: an output of a feature an environment may leave out (the Spot group, pools' own
   * task roles) is empty (`""`, `{}`) exactly when this is false, and consumers read it only when it is true.
   * @default the output always holds a value
   */
  readonly presentWhen?: (config: EnvironmentConfig) => boolean;
}

/** Options of an output spec. */
export interface OutputOptions {
  /** See `OutputSpec.presentWhen`. */
  readonly presentWhen?: (config: EnvironmentConfig) => boolean;
}

export type ContractSpec = Readonly<Record<string, OutputSpec>>;

export interface Contract<S extends ContractSpec = ContractSpec> {
  readonly stack: StackKind;
  readonly outputs: S;
}

/** Token-typed values of a contract, as a producer supplies them and a consumer reads them. */
export type ContractValues<S extends ContractSpec> = {
  readonly [K in keyof S]: S[K]["kind"] extends "list"
    ? string[]
    : S[K]["kind"] extends "number"
      ? number
      : S[K]["kind"] extends "map"
        ? Readonly<Record<string, string>>
        : string;
};

const OUTPUT_NAME = /^[a-z][a-z0-9]*(_[a-z0-9]+)*$/;

export function defineContract<S extends ContractSpec>(stack: StackKind, outputs: S): Contract<S> {
  for (const name of Object.keys(outputs)) {
    if (!OUTPUT_NAME.test(name)) throw new Error(`contract ${stack}: output "${name}" is not snake_case`);
  }
  return { stack, outputs };
}

/**
 * Output spec builders: `output.string("VPC id")`. Offline-plan stand-ins for each output live in test support
 * (`__tests__/support/contract-examples.ts`), typed against the contract so none can be missing.
 */
export const output = {
  string: (description: string, options: OutputOptions = {}): OutputSpec<"string"> => ({ kind: "string", description, ...options }),
  list: (description: string, options: OutputOptions = {}): OutputSpec<"list"> => ({ kind: "list", description, ...options }),
  number: (description: string, options: OutputOptions = {}): OutputSpec<"number"> => ({ kind: "number", description, ...options }),
  map: (description: string, options: OutputOptions = {}): OutputSpec<"map"> => ({ kind: "map", description, ...options }),
};

/** Where a stack keeps its state; a consumer's remote-state data source points at the same object. */
export interface StateLocation {
  readonly bucket: string;
  readonly key: string;
  readonly region: string;
}

/** What a consumer needs from a producer stack. */
export interface ContractProducer<S extends ContractSpec> {
  readonly contract: Contract<S>;
  readonly stateLocation: StateLocation;
}

export function publishContract<S extends ContractSpec>(stack: TerraformStack, contract: Contract<S>, values: ContractValues<S>): void {
  for (const [name, spec] of Object.entries(contract.outputs)) {
    const value = (values as Record<string, unknown>)[name];
    if (value === undefined) throw constructError(stack, `contract ${contract.stack}: no value for output "${name}"`);
    const out = new TerraformOutput(stack, name, { value, description: spec.description });
    out.overrideLogicalId(name);
  }
}

/** The logical id of the remote-state data source a consumer uses for a producer's contract. */
export function contractDataSourceId(producer: StackKind): string {
  return `${producer}_contract`;
}

/** One output of a remote state, as a token of its kind. */
function readOutput(remote: DataTerraformRemoteStateS3, name: string, kind: OutputKind): unknown {
  switch (kind) {
    case "list":
      return remote.getList(name);
    case "number":
      return remote.getNumber(name);
    case "map":
      return Token.asStringMap(remote.get(name));
    case "string":
      return remote.getString(name);
  }
}

export function readContract<S extends ContractSpec>(consumer: TerraformStack, producer: ContractProducer<S> & TerraformStack): ContractValues<S> {
  const { contract, stateLocation } = producer;
  const remote = new DataTerraformRemoteStateS3(consumer, contractDataSourceId(contract.stack), { ...stateLocation });
  consumer.addDependency(producer);
  const values: Record<string, unknown> = {};
  const read = new Map<string, unknown>();
  for (const [name, spec] of Object.entries(contract.outputs)) {
    Object.defineProperty(values, name, {
      enumerable: true,
      // One token per output, created on first use: unread outputs cost nothing, re-reads reuse the token.
      get: () => {
        if (!read.has(name)) read.set(name, readOutput(remote, name, spec.kind));
        return read.get(name);
      },
    });
  }
  return values as ContractValues<S>;
}
