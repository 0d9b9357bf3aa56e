import { applyDerivations, completeConfig } from "../../../config/spec/defaults";
import { derived, int, list, obj, str, variant } from "../../../config/spec/language";

interface Sizes {
  readonly total: number;
  readonly half: number;
  readonly quarter: number;
}

describe("derived defaults", () => {
  it("run in dependency order, whatever the order of the spec", () => {
    // GIVEN quarter derived from half, half from total, declared before what they read
    const spec = obj({
      quarter: int(0, 100, { derive: derived("half of half", (self: Sizes): number => self.half / 2) }),
      half: int(0, 100, { derive: derived("half of total", (self: Sizes): number => self.total / 2) }),
      total: int(0, 100, { default: 40 }),
    });
    // WHEN completed THEN each rule saw what it reads already derived, and the result holds plain values
    const config = completeConfig(spec, {});
    expect(config).toEqual({ total: 40, quarter: 10, half: 20 });
    expect(Object.getOwnPropertyDescriptor(config, "quarter")).toEqual({ value: 10, writable: true, enumerable: true, configurable: true });
  });

  it("keep a value the file writes", () => {
    const spec = obj({ total: int(0, 100), half: int(0, 100, { derive: derived("half of total", (self: Sizes): number => self.total / 2) }) });
    expect(completeConfig(spec, { total: 40, half: 7 })).toEqual({ total: 40, half: 7 });
  });

  it("give a rule its parent object (a list item, a variant) and the whole config", () => {
    // GIVEN items of a list whose label derives from their own name and the config's prefix
    const label = derived(
      "`<prefix>-<name>`",
      (item: { readonly name: string }, config: { readonly prefix: string }): string => `${config.prefix}-${item.name}`,
    );
    const spec = obj({
      prefix: str("a prefix"),
      items: list(variant("type", "item", { plain: { name: str("a name"), label: str("a label", { derive: label }) } }), 0, 5),
    });
    // WHEN completed THEN each item got its own label
    expect(
      completeConfig(spec, {
        prefix: "p",
        items: [
          { type: "plain", name: "a" },
          { type: "plain", name: "b", label: "kept" },
        ],
      }),
    ).toEqual({
      prefix: "p",
      items: [
        { type: "plain", name: "a", label: "p-a" },
        { type: "plain", name: "b", label: "kept" },
      ],
    });
  });

  it("fill in a variant object field from its default, then its variant's own defaults", () => {
    // GIVEN an object field that is one of two shapes, defaulting to the simple one
    const spec = obj({
      auth: variant(
        "type",
        "auth",
        { simple: { users: int(1, 9, { default: 1 }) }, oidc: { issuer: str("an issuer URL") } },
        { default: { type: "simple" }, variantDocs: { simple: "Local users.", oidc: "An OpenID Connect provider." } },
      ),
    });
    // THEN an absent field gets the default variant with its defaults, a written one keeps its variant
    expect(completeConfig(spec, {})).toEqual({ auth: { type: "simple", users: 1 } });
    expect(completeConfig(spec, { auth: { type: "oidc", issuer: "https://id.example.com" } })).toEqual({
      auth: { type: "oidc", issuer: "https://id.example.com" },
    });
  });

  it("report a cycle with the paths it goes through", () => {
    // GIVEN two fields each derived from the other
    const spec = obj({
      a: int(0, 9, { derive: derived("b", (self: { readonly b: number }): number => self.b) }),
      b: int(0, 9, { derive: derived("a", (self: { readonly a: number }): number => self.a) }),
    });
    // THEN deriving fails naming the cycle
    expect(() => applyDerivations(spec, {})).toThrow(new Error("derived defaults form a cycle: a -> b -> a"));
  });
});
