// The manifest frontend: YAML/JSON text -> located document -> IR Workflow plus diagnostics.
import { parseLocatedYaml } from "./located-yaml.js";
import { lowerManifest, type LoweringResult } from "./lower-manifest.js";

export { parseLocatedYaml, LocatedDocument } from "./located-yaml.js";
export { lowerManifest, type LoweringResult } from "./lower-manifest.js";

/** Parses and lowers a manifest's text. Syntax errors stop before lowering; everything else is collected. */
export function compileManifestText(file: string, text: string): LoweringResult {
  const document = parseLocatedYaml(file, text);
  if (document.errors.length > 0) return { diagnostics: document.errors, incomplete: true };
  return lowerManifest(document);
}
