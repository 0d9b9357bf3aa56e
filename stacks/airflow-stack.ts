import { S3Backend, TerraformStack } from "cdktf";
import type { Construct } from "constructs";
import type { EnvironmentConfig } from "../config/schema";
import { ArnBuilder } from "../modules/core/arn";
import {
  publishContract,
  readContract,
  type Contract,
  type ContractProducer,
  type ContractSpec,
  type ContractValues,
  type StackKind,
  type StateLocation,
} from "../modules/core/contract";
import { Naming } from "../modules/core/naming";
import { accountProvider } from "../modules/core/provider";

/** The stack id of an environment's stack, e.g. `prod-network`; also its directory under cdktf.out/stacks. */
export function stackId(environment: string, kind: StackKind): string {
  return `${environment}-${kind}`;
}

/** The state object of an environment's stack: `<env>/<stack>.tfstate` in the environment's state bucket. */
export function stateLocationOf(config: EnvironmentConfig, kind: StackKind): StateLocation {
  return { bucket: config.state.bucket, key: `${config.name}/${kind}.tfstate`, region: config.state.region };
}

/**
 * Base of every environment stack: the AWS provider pinned to the environment's account and region with default
 * tags, the S3 backend with native locking, naming, and the contract it publishes.
 */
export abstract class AirflowStack<S extends ContractSpec> extends TerraformStack implements ContractProducer<S> {
  readonly kind: StackKind;
  readonly naming: Naming;
  readonly arns: ArnBuilder;
  readonly stateLocation: StateLocation;
  /** Tags the provider puts on every resource; repeated where AWS does not propagate them (ASG instances, volumes). */
  readonly defaultTags: Readonly<Record<string, string>>;

  protected constructor(
    scope: Construct,
    readonly config: EnvironmentConfig,
    readonly contract: Contract<S>,
  ) {
    super(scope, stackId(config.name, contract.stack));
    this.kind = contract.stack;
    this.naming = new Naming(config.namePrefix, config.name, config.account.id);
    this.arns = new ArnBuilder(config);
    this.stateLocation = stateLocationOf(config, this.kind);

    this.defaultTags = { ...config.tags, project: config.namePrefix, environment: config.name, stack: this.kind, "managed-by": "cdktf" };
    accountProvider(this, { region: config.account.region, accountId: config.account.id, tags: this.defaultTags });
    const backend = new S3Backend(this, { ...this.stateLocation, encrypt: true });
    // cdktf 0.21 has no typed field for S3-native locking (Terraform >= 1.10).
    backend.addOverride("use_lockfile", true);
  }

  /**
   * cdktf's preparing pass resolves every token of the stack once more, only to discover automatic cross-stack
   * references and wire outputs and remote state for them. This project forbids those (contracts carry every
   * cross-stack value; the contracts test asserts every reference points into its own stack), so the pass is
   * skipped: it was a third of synth time. A stray cross-stack token then fails `terraform validate` as an
   * undeclared resource instead of being wired silently.
   */
  override prepareStack(): void {
    this.ensureBackendExists();
  }

  /** Publishes this stack's contract; call once, at the end of the constructor. */
  protected publish(values: ContractValues<S>): void {
    publishContract(this, this.contract, values);
  }

  /** Reads an upstream stack's contract through its S3 state and records the dependency. */
  protected consume<P extends ContractSpec>(producer: ContractProducer<P> & TerraformStack): ContractValues<P> {
    return readContract(this, producer);
  }
}
