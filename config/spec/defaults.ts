/**
 * Fills in what a file leaves out: first every static default (`applyDefaults`), then every derived one
 * (`applyDerivations`), each declared on its field in the spec.
 */
import { variantOf } from "./check";
import type { Derivation, FieldSpec, ObjectField, ValueOf } from "./language";

/** Returns a copy of `value` with every absent static default filled in (value must already pass `checkShape`). */
export function applyDefaults(spec: FieldSpec, input: unknown): unknown {
  let value = input;
  if (value === undefined) {
    if (spec.default === undefined) return undefined;
    value = structuredClone(spec.default);
  }
  switch (spec.kind) {
    case "object": {
      const source = value as Record<string, unknown>;
      const out: Record<string, unknown> = {};
      for (const [key, field] of Object.entries(spec.fields)) {
        const filled = applyDefaults(field, source[key]);
        if (filled !== undefined) out[key] = filled;
      }
      return out;
    }
    case "array":
      return (value as unknown[]).map((item) => applyDefaults(spec.items, item));
    case "variant":
      return applyDefaults(variantOf(spec, value)!, value);
    case "record":
      return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([key, item]) => [key, applyDefaults(spec.values, item)]));
    default:
      return value;
  }
}

/** How the runtime calls a derivation rule (its exact type is proven against the config by `DerivationMismatches`). */
type Rule = (parent: unknown, config: unknown) => unknown;

/**
 * Fills in, in place, every absent field of `config` that declares a derivation. A rule may read other derived
 * fields: each is installed as a getter that derives itself on first read, so rules run in dependency order
 * whatever the order of the spec, and a cycle is reported instead of recursing forever.
 */
export function applyDerivations(spec: ObjectField, config: Record<string, unknown>): void {
  const deriving: string[] = [];
  const pending: { holder: Record<string, unknown>; key: string }[] = [];

  const install = (holder: Record<string, unknown>, key: string, derivation: Derivation, path: string) => {
    Object.defineProperty(holder, key, {
      configurable: true,
      enumerable: true,
      get: () => {
        if (deriving.includes(path)) throw new Error(`derived defaults form a cycle: ${[...deriving.slice(deriving.indexOf(path)), path].join(" -> ")}`);
        deriving.push(path);
        const value = (derivation.from as Rule)(holder, config);
        deriving.pop();
        Object.defineProperty(holder, key, { value, configurable: true, enumerable: true, writable: true });
        return value;
      },
    });
    pending.push({ holder, key });
  };

  const visit = (field: FieldSpec, value: unknown, path: string): void => {
    if (value === undefined) return;
    switch (field.kind) {
      case "object": {
        const holder = value as Record<string, unknown>;
        for (const [key, child] of Object.entries(field.fields)) {
          const at = path ? `${path}.${key}` : key;
          if (holder[key] === undefined && child.derive) install(holder, key, child.derive, at);
          else visit(child, holder[key], at);
        }
        return;
      }
      case "array":
        return (value as unknown[]).forEach((item, i) => visit(field.items, item, `${path}[${i}]`));
      case "variant":
        return visit(variantOf(field, value)!, value, path);
      case "record":
        return Object.entries(value as Record<string, unknown>).forEach(([key, item]) => visit(field.values, item, `${path}.${key}`));
      default:
        return;
    }
  };

  visit(spec, config, "");
  // Reading each field runs its getter (deriving what it depends on first); spec order decides only the ties.
  for (const { holder, key } of pending) void holder[key];
}

/**
 * A file that passed `checkShape` with every static and derived default of `spec` applied: the complete config its
 * inferred type describes. This is where the parsed JSON becomes typed; the shape check is what makes it so.
 */
export function completeConfig<S extends ObjectField>(spec: S, file: unknown): ValueOf<S> {
  const config = applyDefaults(spec, file) as Record<string, unknown>;
  applyDerivations(spec, config);
  return config as ValueOf<S>;
}

export function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object") {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
