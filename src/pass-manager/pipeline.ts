// Pipeline text, as in `--passes='verify,dead-node-elimination,batch-optimization{max-wait-ms=2000}'`: parsed into
// entries and printed back to the same string, so a pipeline can be pasted into a bug report and replayed.

export interface PipelineEntry {
  pass: string;
  /** Options as written, in the order written. */
  options: Record<string, string>;
}

const ENTRY = /^([a-z][a-z0-9-]*)(?:\{([^{}]*)\})?$/;

/** Splits on commas that are not inside braces. */
function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = "";
  for (const c of text) {
    if (c === "{") depth++;
    if (c === "}") depth--;
    if (c === "," && depth === 0) {
      parts.push(current);
      current = "";
    } else current += c;
  }
  parts.push(current);
  return parts;
}

export function parsePipeline(text: string): PipelineEntry[] {
  if (text.trim() === "") return [];
  return splitTopLevel(text.trim()).map((written) => {
    const part = written.trim().replace(/\s*([{}=])\s*/g, "$1");
    const match = ENTRY.exec(part);
    if (!match) throw new Error(`cannot read pipeline entry '${part}' (expected name or name{option=value,...})`);
    const options: Record<string, string> = {};
    for (const assignment of match[2] ? match[2].split(/[ ,]+/).filter(Boolean) : []) {
      const [name, ...value] = assignment.split("=");
      if (value.length === 0) throw new Error(`option '${name}' of '${match[1]}' needs a value (name=value)`);
      options[name] = value.join("=");
    }
    return { pass: match[1], options };
  });
}

export function printPipeline(entries: PipelineEntry[]): string {
  return entries
    .map((entry) => {
      const options = Object.entries(entry.options).map(([name, value]) => `${name}=${value}`);
      return options.length ? `${entry.pass}{${options.join(",")}}` : entry.pass;
    })
    .join(",");
}
