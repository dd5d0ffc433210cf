// Diagnostics: the one error/warning type, its factories (stable codes) and its renderers.
export * from "./diagnostic.js";
export { diagnostics } from "./codes.js";
export {
  renderDiagnostic,
  renderDiagnosticLine,
  renderDiagnostics,
  diagnosticsToJson,
  type SourceLookup,
} from "./render.js";
export { closestName, didYouMean, editDistance, MAX_SUGGESTION_LENGTH } from "./did-you-mean.js";
export { excerpt, excerptList, truncate } from "./excerpt.js";
