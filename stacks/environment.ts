import type { App } from "cdktf";
import type { EnvironmentConfig } from "../config/schema";
import { NetworkStack } from "./network-stack";

/** Every stack of one environment, wired through their contracts. */
export interface EnvironmentStacks {
  readonly network: NetworkStack;
}

/** Builds one environment's stacks in dependency order; each consumer reads its producers' contracts. */
export function buildEnvironment(app: App, config: EnvironmentConfig): EnvironmentStacks {
  const network = new NetworkStack(app, config);
  return { network };
}
