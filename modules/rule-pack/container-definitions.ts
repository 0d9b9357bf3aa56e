import type { ResourceView } from "./resource-view";
import { isToken } from "./values";

/** The parts of an ECS container definition the rules read. */
export interface ContainerDefinitionView {
  readonly name?: string;
  readonly user?: unknown;
  readonly privileged?: unknown;
  readonly readonlyRootFilesystem?: unknown;
  readonly environment?: readonly { readonly name?: unknown; readonly value?: unknown }[];
  readonly secrets?: readonly { readonly name?: unknown; readonly valueFrom?: unknown }[];
  readonly logConfiguration?: { readonly logDriver?: unknown; readonly options?: Readonly<Record<string, unknown>> };
}

export type DecodedContainers = { readonly containers: readonly ContainerDefinitionView[] } | { readonly error: string };

/**
 * `container_definitions` of a task definition, decoded from its JSON string once per resource (Checkov's
 * terraform_json runner never decodes it, see security-and-reliability.md section 1.1).
 */
export function containerDefinitions(resource: ResourceView): DecodedContainers {
  return resource.cached("container-definitions", () => {
    const text = resource.get("container_definitions");
    if (typeof text !== "string" || !text.trim().startsWith("[")) {
      const what = text === undefined ? "not set" : isToken(text) ? "a reference or function call (jsonencode)" : "not a JSON array";
      return { error: `container_definitions is ${what}; render it with renderContainerDefinitions() so it can be inspected` };
    }
    try {
      const parsed = JSON.parse(text) as unknown;
      if (!Array.isArray(parsed)) return { error: "container_definitions is not a JSON array" };
      return { containers: parsed.filter((c): c is ContainerDefinitionView => typeof c === "object" && c !== null) };
    } catch {
      return { error: "container_definitions is not valid JSON" };
    }
  });
}

/** The decoded containers, or none when the JSON cannot be decoded (AIRFLOW_JSON_INSPECTABLE reports that). */
export function containersOf(resource: ResourceView): readonly ContainerDefinitionView[] {
  const decoded = containerDefinitions(resource);
  return "containers" in decoded ? decoded.containers : [];
}

/** `container "api-server"` in messages. */
export function containerName(container: ContainerDefinitionView, index: number): string {
  return typeof container.name === "string" ? `container "${container.name}"` : `container #${index + 1}`;
}
