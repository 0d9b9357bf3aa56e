import type { App } from "cdktf";
import type { EnvironmentConfig } from "../config/schema";
import { NetworkStack } from "./network-stack";
import { ServicesStack } from "./services-stack";
import { ComputeStack } from "./compute-stack";
import { IamStack } from "./iam-stack";
import { StorageStack } from "./storage-stack";

/** The stacks of every environment, in dependency order. */
export const STACK_KINDS = ["network", "storage", "iam", "compute", "services"] as const;

/** Every stack of one environment, wired through their contracts. */
export interface EnvironmentStacks {
  readonly network: NetworkStack;
  readonly storage: StorageStack;
  readonly iam: IamStack;
  readonly compute: ComputeStack;
  readonly services: ServicesStack;
}

/** Builds one environment's stacks in dependency order; each consumer reads its producers' contracts. */
export function buildEnvironment(app: App, config: EnvironmentConfig): EnvironmentStacks {
  const network = new NetworkStack(app, config);
  const storage = new StorageStack(app, config, { network });
  const iam = new IamStack(app, config, { storage });
  const compute = new ComputeStack(app, config, { network, storage, iam });
  const services = new ServicesStack(app, config, { network, storage, iam, compute });
  return { network, storage, iam, compute, services };
}
