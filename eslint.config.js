import js from "@eslint/js";
import tseslint from "typescript-eslint";

// The layers of src/, lowest first (ARCHITECTURE.md): a folder may import its own layer and the layers below it,
// never one above. The simulator stands apart: it is a server that speaks the engines' and providers' protocols and
// imports nothing of Nexus but src/util.
const LAYERS = [
  ["util"],
  ["diagnostics"],
  ["ir"],
  ["expr"],
  ["printers"],
  ["frontends", "prompt", "models", "pricing"],
  ["pass-manager", "passes"],
  ["driver"],
  ["runtime"],
  ["report"],
  ["backends"],
  ["dropins"],
  ["gateway"],
  ["program-run"],
  ["distributed"],
  ["cli"],
];
const ALL_FOLDERS = [...LAYERS.flat(), "sim"];

function forbidden(folders, why) {
  return {
    "no-restricted-imports": [
      "error",
      {
        patterns: folders.map((folder) => ({
          group: [`**/${folder}/*`, `**/${folder}/**`, `../${folder}`, `../../${folder}`],
          message: `${why} (see the layers in ARCHITECTURE.md).`,
        })),
      },
    ],
  };
}

const layerRules = [
  ...LAYERS.map((layer, index) => ({
    files: layer.map((folder) => `src/${folder}/**/*.ts`),
    rules: forbidden(
      [...LAYERS.slice(index + 1).flat(), ...(layer.includes("backends") ? [] : ["sim"])],
      `src/${layer.join(", src/")} may not import a layer above it`,
    ),
  })),
  {
    files: ["src/sim/**/*.ts"],
    rules: forbidden(
      ALL_FOLDERS.filter((folder) => folder !== "util" && folder !== "sim"),
      "the simulator imports nothing of Nexus but src/util",
    ),
  },
];

export default tseslint.config(
  { ignores: ["dist/", "node_modules/", "build/", "coverage/", "**/*.golden.*"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/no-explicit-any": "error",
      "no-constant-condition": ["error", { checkLoops: false }],
    },
  },
  ...layerRules,
  { files: ["bin/**/*.js"], languageOptions: { globals: { process: "readonly", console: "readonly" } } },
);
