import type { EnvironmentConfig, EnvironmentFile, GitDagBundleConfig } from "../../../config/schema";
import { completeConfig } from "../../../config/spec/defaults";
import {
  bool,
  derived,
  int,
  list,
  num,
  obj,
  oneOf,
  record,
  str,
  union,
  variant,
  type DerivationMismatches,
  type InferConfig,
  type InferFile,
} from "../../../config/spec/language";

/**
 * The types are inferred from the declarations: these tests hold compile-time assertions (`npm test` runs tsc
 * before Jest, so a wrong inference fails the build) next to the runtime behaviour they describe.
 */
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function assertType<T extends true>(): T | void {}

/** A small spec with one field of each presence, and a derivation. */
const pool = obj({
  name: str("a name", { pattern: /^[a-z]+$/ }),
  size: int(1, 50, { default: 5 }),
  mode: oneOf(["fast", "safe"], { default: "safe" }),
  label: str("a label", { optional: true }),
  slots: int(1, 500, { derive: derived("twice the size", (self: { readonly size: number }): number => self.size * 2) }),
});

describe("the spec language's inferred types", () => {
  it("make defaulted and derived fields present in the config and optional in the file", () => {
    // GIVEN the pool spec THEN the config has every field but the optional one, the file only the required one
    assertType<
      Equal<
        InferConfig<typeof pool>,
        { readonly name: string; readonly size: number; readonly mode: "fast" | "safe"; readonly slots: number; readonly label?: string }
      >
    >();
    assertType<
      Equal<
        InferFile<typeof pool>,
        { readonly name: string; readonly size?: number; readonly mode?: "fast" | "safe"; readonly label?: string; readonly slots?: number }
      >
    >();
    // WHEN a minimal file is completed THEN the static and derived defaults are there, the optional field is not
    const file: InferFile<typeof pool> = { name: "main" };
    expect(completeConfig(pool, file)).toEqual({ name: "main", size: 5, mode: "safe", slots: 10 });
  });

  it("infer a discriminated union from a variant, the discriminator first in each variant", () => {
    // GIVEN a variant of two shapes
    const source = variant("kind", "source", { local: { path: str("a path") }, remote: { url: str("a URL"), timeout: num(0.5, 60, { default: 10 }) } });
    type Source = InferConfig<ReturnType<typeof obj<{ source: typeof source }>>>["source"];
    // THEN its type narrows on the discriminator
    assertType<Equal<Extract<Source, { kind: "remote" }>, { readonly kind: "remote"; readonly url: string; readonly timeout: number }>>();
    assertType<Equal<Extract<Source, { kind: "local" }>, { readonly kind: "local"; readonly path: string }>>();
    expect(Object.keys(source.variants.remote.fields)).toEqual(["kind", "url", "timeout"]);
  });

  it("type a union's value as any of its members, and a record's values (nested records too)", () => {
    const options = record({
      keyPattern: /^[a-z_]+$/,
      keyAllowed: "section names",
      keyExample: "core",
      values: record({
        keyPattern: /^[a-z_]+$/,
        keyAllowed: "option names",
        keyExample: "parallelism",
        values: union([str("a string"), num(-1e9, 1e9), bool()]),
        maxEntries: 100,
      }),
      maxEntries: 50,
    });
    assertType<
      Equal<
        InferConfig<ReturnType<typeof obj<{ options: typeof options }>>>["options"],
        Readonly<Record<string, Readonly<Record<string, string | number | boolean>>>>
      >
    >();
    expect(options.values.values.kind).toBe("union");
  });

  it("check a static default against the field's type", () => {
    // @ts-expect-error "turbo" is not one of the values
    oneOf(["fast", "safe"], { default: "turbo" });
    // @ts-expect-error an object's default must hold its required fields
    obj({ name: str("a name") }, { default: {} });
    expect(obj({ name: str("a name") }, { default: { name: "x" } }).default).toEqual({ name: "x" });
  });

  it("refuse a field declaring more than one of default, derive and optional", () => {
    expect(() => int(1, 5, { default: 2, optional: true })).toThrow(new Error("a field takes at most one of default, derive and optional"));
  });

  it("name every derivation whose rule does not accept (parent, config) or return its field's type", () => {
    // GIVEN rules of the wrong return type and the wrong parent
    const wrong = obj({
      size: int(1, 5),
      text: str("a text", { derive: derived("the size", (self: { readonly size: number }): number => self.size) }),
      items: list(obj({ count: int(1, 9, { derive: derived("from a name", (self: { readonly name: string }): number => self.name.length) }) }), 0, 3),
    });
    // THEN both paths are named; a correct spec has none
    assertType<Equal<DerivationMismatches<typeof wrong, unknown>, "text" | "items[].count">>();
    assertType<Equal<DerivationMismatches<typeof pool, unknown>, never>>();
    expect(wrong.fields.text.derive.describe).toBe("the size");
  });
});

describe("the environment types inferred from ENVIRONMENT_SPEC", () => {
  it("keep the shapes the stacks rely on", () => {
    assertType<Equal<EnvironmentConfig["network"]["natGateways"], "per-az" | "single">>();
    assertType<Equal<EnvironmentConfig["network"]["availabilityZones"], readonly string[]>>();
    assertType<Equal<EnvironmentConfig["ci"]["createOidcProvider"], boolean>>();
    assertType<Equal<EnvironmentConfig["alb"]["certificateArn"], string | undefined>>();
    assertType<Equal<GitDagBundleConfig["subdir"], string | undefined>>();
    assertType<Equal<EnvironmentConfig["dags"]["bundles"][number]["source"], "efs" | "git" | "s3">>();
    assertType<Equal<EnvironmentConfig["tags"], Readonly<Record<string, string>>>>();
    // A file may leave out what has a default or a derivation, not what is required.
    assertType<Equal<EnvironmentFile["network"]["azCount"], number | undefined>>();
    assertType<Equal<EnvironmentFile["network"]["vpcCidr"], string>>();
    assertType<Equal<EnvironmentFile["state"], { readonly bucket?: string; readonly region?: string } | undefined>>();
    expect(true).toBe(true);
  });
});
