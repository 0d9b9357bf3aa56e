/** A dependency graph: each node with the nodes it depends on (which must come before it). */
export type DependencyGraph = Readonly<Record<string, readonly string[]>>;

export class DependencyCycleError extends Error {
  constructor(readonly cycle: readonly string[]) {
    super(`dependency cycle: ${cycle.join(" -> ")}`);
    this.name = "DependencyCycleError";
  }
}

/**
 * Orders the nodes so that every node comes after all of its dependencies (depth-first, nodes and dependencies visited
 * in sorted order, so the result is deterministic). Throws DependencyCycleError naming the cycle, or an Error for a
 * dependency that is not a node of the graph.
 */
export function topologicalOrder(graph: DependencyGraph): string[] {
  const order: string[] = [];
  const done = new Set<string>();
  const visit = (node: string, path: readonly string[]): void => {
    const start = path.indexOf(node);
    if (start >= 0) throw new DependencyCycleError([...path.slice(start), node]);
    if (done.has(node)) return;
    for (const dependency of [...graph[node]].sort()) {
      if (!(dependency in graph)) throw new Error(`"${node}" depends on "${dependency}", which is not in the graph (${Object.keys(graph).sort().join(", ")})`);
      visit(dependency, [...path, node]);
    }
    done.add(node);
    order.push(node);
  };
  for (const node of Object.keys(graph).sort()) visit(node, []);
  return order;
}

/** Every node `node` depends on, directly or through other nodes (the node itself excluded). */
export function transitiveDependencies(graph: DependencyGraph, node: string): Set<string> {
  const seen = new Set<string>();
  const stack = [...(graph[node] ?? [])];
  while (stack.length > 0) {
    const next = stack.pop()!;
    if (seen.has(next) || next === node) continue;
    seen.add(next);
    stack.push(...(graph[next] ?? []));
  }
  return seen;
}
