import boundaries from "eslint-plugin-boundaries";
import tseslint from "typescript-eslint";

/**
 * The layers, from the bottom up (README "Layers"): each may import only the layers listed in its `allow`.
 *   runtime/          names shared by the image, the Lambdas and the infrastructure; imports nothing
 *   config/           the environment spec, loading, validation, derived values
 *   lambda/           the Lambda handlers (bundled by esbuild)
 *   modules/          constructs
 *   stacks/, terraform-state/   stacks composing constructs, linked by contracts
 *   main.ts, scripts/ commands
 * Tests may import anything.
 */
const LAYERS = [
  { type: "runtime", pattern: "runtime", allow: [] },
  { type: "config", pattern: "config", allow: ["runtime"] },
  { type: "lambda", pattern: "lambda", allow: ["runtime"] },
  { type: "modules", pattern: "modules", allow: ["runtime", "config"] },
  { type: "stacks", pattern: "stacks", allow: ["runtime", "config", "modules"] },
  { type: "terraform-state", pattern: "terraform-state", allow: ["runtime", "config", "modules", "stacks"] },
  { type: "scripts", pattern: "scripts", allow: ["runtime", "config", "lambda", "modules", "stacks", "terraform-state"] },
  { type: "tests", pattern: "__tests__", allow: ["runtime", "config", "lambda", "modules", "stacks", "terraform-state", "scripts"] },
];

export default tseslint.config(
  { ignores: ["dist/", "cdktf.out/", "node_modules/", "coverage/", ".bench/", "**/*.js", "**/*.mjs"] },
  ...tseslint.configs.recommended,
  {
    rules: {
      "no-restricted-imports": [
        "error",
        {
          paths: [
            {
              name: "@cdktf/provider-aws",
              message: "Deep-import provider classes (@cdktf/provider-aws/lib/<resource>): the package root loads 2,135 modules on every synth.",
            },
          ],
          patterns: [
            {
              group: ["cdktf/lib/*", "!cdktf/lib/testing/adapters/jest"],
              message: "Use public cdktf symbols only, so the move to CDK Terrain stays a rename.",
            },
          ],
        },
      ],
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
    },
  },
  {
    files: ["**/*.ts"],
    plugins: { boundaries },
    settings: {
      "import/resolver": { node: { extensions: [".ts", ".js", ".json"] } },
      // Full paths from the repository root, so a folder of the same name deeper down (rules/lambda) is not a layer.
      "boundaries/elements": LAYERS.map(({ type, pattern }) => ({ type, pattern: `${pattern}/**`, partialMatch: false })),
      // The app command is one file at the top: it composes stacks and is imported by the commands and the tests.
      "boundaries/files": [{ category: "app", pattern: "main.ts" }],
    },
    rules: {
      "boundaries/dependencies": [
        "error",
        {
          default: "disallow",
          message: '{{from.type}} must not import {{to.type}}: layers import downward only (README "Layers", eslint.config.mjs)',
          policies: [
            ...LAYERS.map(({ type, allow }) => ({ from: { element: { type } }, allow: { to: { element: { types: { anyOf: [type, ...allow] } } } } })),
            {
              from: { file: { categories: "app" } },
              allow: { to: { element: { types: { anyOf: ["runtime", "config", "modules", "stacks", "terraform-state"] } } } },
            },
            { from: { element: { types: { anyOf: ["scripts", "tests"] } } }, allow: { to: { file: { categories: "app" } } } },
          ],
        },
      ],
      "boundaries/no-unknown-files": "error",
    },
  },
  {
    files: ["__tests__/**/*.ts"],
    rules: { "@typescript-eslint/no-explicit-any": "off", "@typescript-eslint/no-non-null-assertion": "off" },
  },
);
