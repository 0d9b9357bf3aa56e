import type { IConstruct } from "constructs";

/**
 * An error raised by a construct: its message starts with the construct's path (`dev-services/operations/...`), so a
 * failing synth names the environment, the stack and the construct that refused its input.
 */
export class ConstructError extends Error {
  /** Path of the construct that raised the error, from the app down. */
  readonly constructPath: string;

  constructor(scope: IConstruct, message: string) {
    super(`${scope.node.path}: ${message}`);
    this.name = "ConstructError";
    this.constructPath = scope.node.path;
  }
}

/** The error a construct throws: `throw constructError(this, "...")`. */
export function constructError(scope: IConstruct, message: string): ConstructError {
  return new ConstructError(scope, message);
}
