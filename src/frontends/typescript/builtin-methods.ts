// Methods of arrays and strings with known contents, computed as JavaScript would: `map`/`forEach`/`reduce` over a
// constant array call the program's function per element (so graphs built in such loops unroll), and the string
// methods the model loaders of LangGraph templates use (`indexOf`, `slice`, `split`).
import type { Node } from "ts-morph";
import { callFunction } from "./interpret.js";
import type { ProgramReader } from "./reader.js";
import { str, unknown, type Value } from "./values.js";

export function arrayMethod(
  reader: ProgramReader,
  elements: Value[],
  method: string,
  args: Value[],
  call: Node,
): Value {
  const fn = args[0]?.kind === "function" ? args[0] : undefined;
  const array = (list: Value[]): Value => ({ kind: "array", elements: list });
  switch (method) {
    case "map":
      return fn
        ? array(
            elements.map((element, index) =>
              callFunction(reader, fn, [element, { kind: "number", value: index }], call),
            ),
          )
        : unknown(call);
    case "forEach":
      if (fn)
        elements.forEach((element, index) =>
          callFunction(reader, fn, [element, { kind: "number", value: index }], call),
        );
      return { kind: "undefined" };
    case "reduce": {
      if (!fn) return unknown(call);
      let accumulator = args[1] ?? elements[0] ?? unknown(call);
      elements.slice(args[1] ? 0 : 1).forEach((element, index) => {
        accumulator = callFunction(reader, fn, [accumulator, element, { kind: "number", value: index }], call);
      });
      return accumulator;
    }
    case "slice": {
      const start = args[0]?.kind === "number" ? args[0].value : 0;
      const end = args[1]?.kind === "number" ? args[1].value : undefined;
      return array(elements.slice(start, end));
    }
    case "concat":
      return array([...elements, ...args.flatMap((arg) => (arg.kind === "array" ? arg.elements : [arg]))]);
    case "entries":
      return array(elements.map((element, index) => array([{ kind: "number", value: index }, element])));
    case "includes": {
      const wanted = args[0];
      if (wanted?.kind !== "string" || elements.some((e) => e.kind !== "string")) return unknown(call);
      return { kind: "boolean", value: elements.some((e) => e.kind === "string" && e.value === wanted.value) };
    }
    case "join":
      if (elements.every((e) => e.kind === "string"))
        return str(
          elements
            .map((e) => (e.kind === "string" ? e.value : ""))
            .join(args[0]?.kind === "string" ? args[0].value : ","),
        );
      return unknown(call);
    default:
      return unknown(call);
  }
}

export function stringMethod(text: string, method: string, args: Value[], call: Node): Value {
  const arg = (index: number) => args[index];
  const number = (index: number) => {
    const value = arg(index);
    return value?.kind === "number" ? value.value : undefined;
  };
  const string = (index: number) => {
    const value = arg(index);
    return value?.kind === "string" ? value.value : undefined;
  };
  switch (method) {
    case "indexOf":
      return string(0) === undefined ? unknown(call) : { kind: "number", value: text.indexOf(string(0)!) };
    case "slice":
      return str(text.slice(number(0), number(1)));
    case "split":
      return string(0) === undefined ? unknown(call) : { kind: "array", elements: text.split(string(0)!).map(str) };
    case "startsWith":
      return string(0) === undefined ? unknown(call) : { kind: "boolean", value: text.startsWith(string(0)!) };
    case "includes":
      return string(0) === undefined ? unknown(call) : { kind: "boolean", value: text.includes(string(0)!) };
    case "trim":
      return str(text.trim());
    case "toLowerCase":
      return str(text.toLowerCase());
    case "toUpperCase":
      return str(text.toUpperCase());
    default:
      return unknown(call);
  }
}
