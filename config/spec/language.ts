/**
 * The language the environment spec is written in. One declaration per field holds everything about it: its kind and
 * allowed values (checked by `check.ts`), its static default or the rule deriving it from other fields (applied by
 * `defaults.ts`), and its doc (rendered by `markdown.ts`). The TypeScript types are inferred from the declarations:
 * `ValueOf<F>` is what a field holds once defaults are applied, `InputOf<F>` what a file may write, so the types,
 * the checks, the defaults and the docs cannot drift apart.
 */

/** Type-only key of the inferred types a field carries; never set at runtime. */
declare const TYPES: unique symbol;

/**
 * How a field's absence is handled: `required` fields must be written; `defaulted` ones (a static default or a
 * derivation) may be left out and are always present after loading; `optional` ones may be left out and stay absent.
 */
export type Presence = "required" | "defaulted" | "optional";

interface Typed<Value, Input, P extends Presence> {
  readonly [TYPES]?: { readonly value: Value; readonly input: Input; readonly presence: P };
}

/**
 * A default computed from other fields once every static default is in place. `from` receives the object holding
 * the field and the whole config; it may read other derived fields (they are derived first, in dependency order).
 * Its type is left open here (an annotated function referring to the inferred config would make the inference
 * circular); `DerivationMismatches` proves each one against the inferred types instead.
 */
export interface Derivation<Rule extends object = object> {
  /** The default in words, for the docs (e.g. "`<namePrefix>-tfstate-<account.id>`"). */
  readonly describe: string;
  readonly from: Rule;
}

/**
 * A derived default: `describe` says in words what `from(parent, config)` computes. Write `from` as a named function
 * with annotated parameters and return type (`function stateRegion(_state: StateConfig, config: EnvironmentConfig):
 * string`): an arrow whose return type TypeScript must infer from the config makes the config's inference circular.
 */
export function derived<Rule extends object>(describe: string, from: Rule): Derivation<Rule> {
  return { describe, from };
}

/** What every field may say about itself; `Input` is the type its static default must have. */
export interface FieldOptions<Input = unknown> {
  /** What the field means, for the docs. */
  readonly doc?: string;
  /** Filled in when the field is absent. */
  readonly default?: Input;
  /** Filled in from other fields when absent. */
  readonly derive?: Derivation;
  /** May be absent, and stays absent. */
  readonly optional?: true;
}

/** The presence a builder's options give a field. */
type PresenceFrom<O> = O extends { readonly default: unknown } | { readonly derive: unknown }
  ? "defaulted"
  : O extends { readonly optional: true }
    ? "optional"
    : "required";

/** Keeps a derivation's exact type on the field, for `DerivationMismatches`. */
type DerivedBy<O> = O extends { readonly derive: infer D } ? { readonly derive: D } : unknown;

interface FieldBase<Value, Input, P extends Presence> extends FieldOptions, Typed<Value, Input, P> {}

export interface StringField<V = string, P extends Presence = Presence> extends FieldBase<V, V, P> {
  readonly kind: "string";
  /** Human description of the allowed values, used in messages and docs. */
  readonly allowed: string;
  readonly pattern?: RegExp;
  readonly oneOf?: readonly string[];
}

export interface IntegerField<P extends Presence = Presence> extends FieldBase<number, number, P> {
  readonly kind: "integer";
  readonly min: number;
  readonly max: number;
  /** Only these values (e.g. CloudWatch Logs retention periods). */
  readonly oneOf?: readonly number[];
}

/** Any finite number (Airflow options such as `[scheduler] pool_metrics_interval = 5.0`). */
export interface NumberField<P extends Presence = Presence> extends FieldBase<number, number, P> {
  readonly kind: "number";
  readonly min: number;
  readonly max: number;
}

export interface BooleanField<P extends Presence = Presence> extends FieldBase<boolean, boolean, P> {
  readonly kind: "boolean";
}

export type ScalarField = StringField | IntegerField | NumberField | BooleanField;

/** What a union may hold: scalars, and objects (told apart from scalars by their type; at most one object member). */
export type UnionMember = ScalarField | ObjectField;

/**
 * A value any one of `members` accepts (e.g. an Airflow option: a string, a number, a boolean, or an object naming the
 * secret that holds it).
 */
export interface UnionField<V = unknown, P extends Presence = Presence> extends FieldBase<V, V, P> {
  readonly kind: "union";
  readonly members: readonly UnionMember[];
}

export interface Fields {
  readonly [key: string]: FieldSpec;
}

export interface ObjectField<Fs extends Fields = Fields, V = unknown, I = unknown, P extends Presence = Presence> extends FieldBase<V, I, P> {
  readonly kind: "object";
  readonly fields: Fs;
  /** Fields files may no longer write, each with what replaced it (the message for a file that still does). */
  readonly retired?: { readonly [key: string]: string };
}

export interface ArrayField<Item extends FieldSpec = FieldSpec, V = unknown, I = unknown, P extends Presence = Presence> extends FieldBase<V, I, P> {
  readonly kind: "array";
  readonly items: Item;
  readonly minItems: number;
  readonly maxItems: number;
}

/** An object with free keys (matching `keyPattern`) whose values all follow `values` (which may be any field). */
export interface RecordField<Values extends FieldSpec = FieldSpec, V = unknown, I = unknown, P extends Presence = Presence> extends FieldBase<V, I, P> {
  readonly kind: "record";
  readonly keyPattern: RegExp;
  /** Human description of the allowed keys. */
  readonly keyAllowed: string;
  /** A valid key, for the docs and the tests. */
  readonly keyExample: string;
  readonly values: Values;
  readonly maxEntries: number;
}

/**
 * An object whose allowed fields depend on one discriminating field (e.g. a DAG bundle's `source`): each variant
 * is an object spec of its own, the discriminator first.
 */
export interface VariantField<
  Vs extends Variants = Variants,
  D extends string = string,
  V = unknown,
  I = unknown,
  P extends Presence = Presence,
> extends FieldBase<V, I, P> {
  readonly kind: "variant";
  readonly discriminator: D;
  /** Noun used in messages, e.g. "DAG bundle" ("is not a field of a git DAG bundle"). */
  readonly noun: string;
  /** What each variant is, for the docs. */
  readonly variantDocs?: { readonly [kind: string]: string };
  /** Each variant's object spec; at runtime its fields start with the discriminator. */
  readonly variants: { readonly [K in keyof Vs]: ObjectField<Vs[K]> };
}

export type FieldSpec = StringField | IntegerField | NumberField | BooleanField | UnionField | ObjectField | ArrayField | RecordField | VariantField;

export interface Variants {
  readonly [kind: string]: Fields;
}

/** What a field holds once defaults are applied. */
export type ValueOf<F> = F extends { readonly [TYPES]?: { readonly value: infer V } } ? V : never;
/** What an environment file may write for a field. */
export type InputOf<F> = F extends { readonly [TYPES]?: { readonly input: infer I } } ? I : never;
type PresenceOf<F> = F extends { readonly [TYPES]?: { readonly presence: infer P } } ? P : never;

/** Spells an intersection out as one object type (readable in editor hovers and messages). */
type Flatten<T> = { [K in keyof T]: T[K] } & {};
type KeysWhere<Fs, P extends Presence> = { [K in keyof Fs]: PresenceOf<Fs[K]> extends P ? K : never }[keyof Fs];

/** An object's value: required and defaulted fields are present, optional ones may be absent. */
export type ObjectValue<Fs> = Flatten<
  { readonly [K in KeysWhere<Fs, "required" | "defaulted">]: ValueOf<Fs[K]> } & { readonly [K in KeysWhere<Fs, "optional">]?: ValueOf<Fs[K]> }
>;
/** An object as a file writes it: only required fields must be there. */
export type ObjectInput<Fs> = Flatten<
  { readonly [K in KeysWhere<Fs, "required">]: InputOf<Fs[K]> } & { readonly [K in KeysWhere<Fs, "defaulted" | "optional">]?: InputOf<Fs[K]> }
>;

type WithDiscriminator<D extends string, K extends string, Fs> = { readonly [P in D]: StringField<K, "required"> } & Fs;
type VariantValue<D extends string, Vs> = { [K in keyof Vs & string]: ObjectValue<WithDiscriminator<D, K, Vs[K]>> }[keyof Vs & string];
type VariantInput<D extends string, Vs> = { [K in keyof Vs & string]: ObjectInput<WithDiscriminator<D, K, Vs[K]>> }[keyof Vs & string];

/** The complete config a spec describes (every default applied). */
export type InferConfig<S extends ObjectField> = ValueOf<S>;
/** The file a spec describes (defaults not yet applied). */
export type InferFile<S extends ObjectField> = InputOf<S>;

function field<F extends FieldSpec>(spec: F): F {
  const given = [spec.default !== undefined, spec.derive !== undefined, spec.optional === true].filter(Boolean).length;
  if (given > 1) throw new Error("a field takes at most one of default, derive and optional");
  return spec;
}

/** `"a"`, `"a" or "b"`, `"a", "b" or "c"`. */
export function quotedList(values: readonly string[]): string {
  const quoted = values.map((v) => `"${v}"`);
  return quoted.length <= 1 ? quoted.join("") : `${quoted.slice(0, -1).join(", ")} or ${quoted[quoted.length - 1]}`;
}

/** A string matching `pattern`; `allowed` describes it in messages and docs. */
export function str<O extends FieldOptions<string> & { readonly pattern?: RegExp } = object>(
  allowed: string,
  options?: O,
): StringField<string, PresenceFrom<O>> & DerivedBy<O> {
  return field({ kind: "string", allowed, ...options }) as StringField<string, PresenceFrom<O>> & DerivedBy<O>;
}

/** One of `values`; the field's type is their union. `allowed` defaults to the quoted values. */
export function oneOf<const V extends readonly string[], O extends FieldOptions<V[number]> & { readonly allowed?: string } = object>(
  values: V,
  options?: O,
): StringField<V[number], PresenceFrom<O>> & DerivedBy<O> {
  return field({ kind: "string", allowed: quotedList(values), oneOf: values, ...options }) as StringField<V[number], PresenceFrom<O>> & DerivedBy<O>;
}

export function int<O extends FieldOptions<number> & { readonly oneOf?: readonly number[] } = object>(
  min: number,
  max: number,
  options?: O,
): IntegerField<PresenceFrom<O>> & DerivedBy<O> {
  return field({ kind: "integer", min, max, ...options }) as IntegerField<PresenceFrom<O>> & DerivedBy<O>;
}

export function num<O extends FieldOptions<number> = object>(min: number, max: number, options?: O): NumberField<PresenceFrom<O>> & DerivedBy<O> {
  return field({ kind: "number", min, max, ...options }) as NumberField<PresenceFrom<O>> & DerivedBy<O>;
}

export function bool<O extends FieldOptions<boolean> = object>(options?: O): BooleanField<PresenceFrom<O>> & DerivedBy<O> {
  return field({ kind: "boolean", ...options }) as BooleanField<PresenceFrom<O>> & DerivedBy<O>;
}

export function union<const M extends readonly UnionMember[], O extends FieldOptions<ValueOf<M[number]>> = object>(
  members: M,
  options?: O,
): UnionField<ValueOf<M[number]>, PresenceFrom<O>> & DerivedBy<O> {
  return field({ kind: "union", members, ...options }) as UnionField<ValueOf<M[number]>, PresenceFrom<O>> & DerivedBy<O>;
}

export function obj<Fs extends Fields, const O extends FieldOptions<ObjectInput<Fs>> & { readonly retired?: { readonly [key: string]: string } } = object>(
  fields: Fs,
  options?: O,
): ObjectField<Fs, ObjectValue<Fs>, ObjectInput<Fs>, PresenceFrom<O>> & DerivedBy<O> {
  return field({ kind: "object", fields, ...options }) as ObjectField<Fs, ObjectValue<Fs>, ObjectInput<Fs>, PresenceFrom<O>> & DerivedBy<O>;
}

export function list<Item extends FieldSpec, const O extends FieldOptions<readonly InputOf<Item>[]> = object>(
  items: Item,
  minItems: number,
  maxItems: number,
  options?: O,
): ArrayField<Item, readonly ValueOf<Item>[], readonly InputOf<Item>[], PresenceFrom<O>> & DerivedBy<O> {
  return field({ kind: "array", items, minItems, maxItems, ...options }) as ArrayField<
    Item,
    readonly ValueOf<Item>[],
    readonly InputOf<Item>[],
    PresenceFrom<O>
  > &
    DerivedBy<O>;
}

export interface RecordShape<Values extends FieldSpec> {
  readonly keyPattern: RegExp;
  readonly keyAllowed: string;
  readonly keyExample: string;
  readonly values: Values;
  readonly maxEntries: number;
}

export function record<Values extends FieldSpec, const O extends FieldOptions<Readonly<Record<string, InputOf<Values>>>> = object>(
  shape: RecordShape<Values>,
  options?: O,
): RecordField<Values, Readonly<Record<string, ValueOf<Values>>>, Readonly<Record<string, InputOf<Values>>>, PresenceFrom<O>> & DerivedBy<O> {
  return field({ kind: "record", ...shape, ...options }) as RecordField<
    Values,
    Readonly<Record<string, ValueOf<Values>>>,
    Readonly<Record<string, InputOf<Values>>>,
    PresenceFrom<O>
  > &
    DerivedBy<O>;
}

/**
 * An object of one of several shapes, chosen by its `discriminator` field; the discriminator is added to every
 * variant (first), so the inferred type is a discriminated union.
 */
export function variant<
  const D extends string,
  Vs extends Variants,
  const O extends FieldOptions<VariantInput<D, Vs>> & { readonly variantDocs?: { readonly [K in keyof Vs]: string } } = object,
>(discriminator: D, noun: string, variants: Vs, options?: O): VariantField<Vs, D, VariantValue<D, Vs>, VariantInput<D, Vs>, PresenceFrom<O>> & DerivedBy<O> {
  const objects = Object.fromEntries(Object.entries(variants).map(([kind, fields]) => [kind, obj({ [discriminator]: oneOf([kind]), ...fields })]));
  return field({ kind: "variant", discriminator, noun, variants: objects, ...options }) as unknown as VariantField<
    Vs,
    D,
    VariantValue<D, Vs>,
    VariantInput<D, Vs>,
    PresenceFrom<O>
  > &
    DerivedBy<O>;
}

type Join<Path extends string, Key extends string> = Path extends "" ? Key : `${Path}.${Key}`;

/** The path of a derived field whose rule does not accept (its parent, the config) or does not return the field's type. */
type Mismatch<F, Parent, Root, Path extends string> = F extends { readonly derive: Derivation<infer Rule> }
  ? Rule extends (parent: Parent, config: Root) => ValueOf<F>
    ? never
    : Path
  : never;

type FieldsMismatches<Fs, Parent, Root, Path extends string> = {
  [K in keyof Fs & string]: Mismatch<Fs[K], Parent, Root, Join<Path, K>> | DerivationMismatches<Fs[K], Root, Join<Path, K>>;
}[keyof Fs & string];

/**
 * Every field path of spec `F` whose derivation disagrees with the inferred types (never when all agree): the proof
 * that derivation rules, which the inference cannot see, read and return what the config says.
 */
export type DerivationMismatches<F, Root, Path extends string = ""> =
  F extends ObjectField<infer Fs, infer V>
    ? FieldsMismatches<Fs, V, Root, Path>
    : F extends ArrayField<infer Item>
      ? DerivationMismatches<Item, Root, `${Path}[]`>
      : F extends RecordField<infer Values>
        ? DerivationMismatches<Values, Root, `${Path}.*`>
        : F extends VariantField<infer Vs, infer D, infer V>
          ? { [K in keyof Vs & string]: FieldsMismatches<Vs[K], Extract<V, { readonly [P in D]: K }>, Root, `${Path}(${K})`> }[keyof Vs & string]
          : never;
