import tseslint from "typescript-eslint";

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
    files: ["__tests__/**/*.ts"],
    rules: { "@typescript-eslint/no-explicit-any": "off", "@typescript-eslint/no-non-null-assertion": "off" },
  },
);
