// Prompt templates: `{field}` or `{field.sub}` is replaced from the item's state; `{{` and `}}` are literal braces
// (Python's str.format rules, which UAN prompts follow). Anything else in braces (e.g. JSON examples) is kept as text.

export type TemplatePart =
  { type: "text"; text: string } | { type: "variable"; path: string[]; source: string; offset: number };

const VARIABLE = /\{\{|\}\}|\{([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)*)\}/g;

/** Splits a template into literal text and variables, in order. */
export function parseTemplate(template: string): TemplatePart[] {
  const parts: TemplatePart[] = [];
  let text = "";
  let last = 0;
  for (const match of template.matchAll(VARIABLE)) {
    text += template.slice(last, match.index);
    last = match.index + match[0].length;
    if (match[1] === undefined) {
      text += match[0][0];
      continue;
    }
    if (text) parts.push({ type: "text", text });
    text = "";
    parts.push({ type: "variable", path: match[1].split("."), source: match[0], offset: match.index });
  }
  text += template.slice(last);
  if (text) parts.push({ type: "text", text });
  return parts;
}

/** The variables of a template, in order of first use. */
export function templateVariables(template: string): Extract<TemplatePart, { type: "variable" }>[] {
  return parseTemplate(template).filter((p): p is Extract<TemplatePart, { type: "variable" }> => p.type === "variable");
}

function stringify(value: unknown): string {
  if (value === undefined || value === null) return "";
  return typeof value === "string" ? value : JSON.stringify(value);
}

/** Fills a template from state; `read` resolves a path. Missing values render as empty text. */
export function renderTemplate(parts: TemplatePart[], read: (path: string[]) => unknown): string {
  let out = "";
  for (const part of parts) out += part.type === "text" ? part.text : stringify(read(part.path));
  return out;
}
