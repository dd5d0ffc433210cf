// Parses condition expressions (`score > 0.5 and not flagged`, `route in ["a", "b"]`, `len(items) == 0`) with a
// hand-written tokenizer and precedence-climbing parser. Nothing is ever passed to `eval`.
import { BUILTIN_FUNCTIONS, type BinaryOperator, type BuiltinFunction, type Expression } from "../ir/expression-ast.js";

export class ExpressionSyntaxError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

type Token =
  | { kind: "number"; value: number; start: number; end: number }
  | { kind: "string"; value: string; start: number; end: number }
  | { kind: "word"; value: string; start: number; end: number }
  | { kind: "punct"; value: string; start: number; end: number }
  | { kind: "end"; value: ""; start: number; end: number };

const PUNCTUATION = [
  "==",
  "!=",
  "<=",
  ">=",
  "&&",
  "||",
  "<",
  ">",
  "!",
  "(",
  ")",
  "[",
  "]",
  ",",
  ".",
  "+",
  "-",
  "*",
  "/",
  "%",
];

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const c = source[i];
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const start = i;
    if (/[0-9]/.test(c)) {
      const match = /^[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(source.slice(i))!;
      i += match[0].length;
      tokens.push({ kind: "number", value: Number(match[0]), start, end: i });
    } else if (c === '"' || c === "'") {
      let value = "";
      i++;
      while (i < source.length && source[i] !== c) {
        if (source[i] === "\\" && i + 1 < source.length) i++;
        value += source[i++];
      }
      if (i >= source.length) throw new ExpressionSyntaxError("unterminated string", start);
      i++;
      tokens.push({ kind: "string", value, start, end: i });
    } else if (/[A-Za-z_$]/.test(c)) {
      const match = /^[A-Za-z_$][A-Za-z0-9_$]*/.exec(source.slice(i))!;
      i += match[0].length;
      tokens.push({ kind: "word", value: match[0], start, end: i });
    } else {
      const punct = PUNCTUATION.find((p) => source.startsWith(p, i));
      if (!punct) throw new ExpressionSyntaxError(`unexpected character '${c}'`, i);
      i += punct.length;
      tokens.push({ kind: "punct", value: punct, start, end: i });
    }
  }
  tokens.push({ kind: "end", value: "", start: source.length, end: source.length });
  return tokens;
}

/** Binary operators by precedence level, loosest first. */
const LEVELS: { operators: Record<string, BinaryOperator> }[] = [
  { operators: { or: "or", "||": "or" } },
  { operators: { and: "and", "&&": "and" } },
  { operators: { "==": "==", "!=": "!=", "<": "<", "<=": "<=", ">": ">", ">=": ">=", in: "in" } },
  { operators: { "+": "+", "-": "-" } },
  { operators: { "*": "*", "/": "/", "%": "%" } },
];

class Parser {
  private position = 0;
  constructor(private readonly tokens: Token[]) {}

  private peek(): Token {
    return this.tokens[this.position];
  }

  private next(): Token {
    return this.tokens[this.position++];
  }

  private expect(value: string): Token {
    const token = this.next();
    if (token.value !== value)
      throw new ExpressionSyntaxError(`expected '${value}' but found ${describe(token)}`, token.start);
    return token;
  }

  parseAll(): Expression {
    const expression = this.parseLevel(0);
    const rest = this.peek();
    if (rest.kind !== "end") throw new ExpressionSyntaxError(`unexpected ${describe(rest)}`, rest.start);
    return expression;
  }

  private parseLevel(level: number): Expression {
    if (level === LEVELS.length) return this.parseUnary();
    let left = this.parseLevel(level + 1);
    for (;;) {
      const token = this.peek();
      const { operators } = LEVELS[level];
      const isOperator = (token.kind === "word" || token.kind === "punct") && Object.hasOwn(operators, token.value);
      const operator = isOperator ? operators[token.value] : undefined;
      if (!operator) return left;
      this.next();
      const right = this.parseLevel(level + 1);
      left = { type: "binary", operator, left, right, start: left.start, end: right.end };
    }
  }

  private parseUnary(): Expression {
    const token = this.peek();
    if (token.value === "not" || token.value === "!") {
      this.next();
      const operand = this.parseUnary();
      return { type: "unary", operator: "not", operand, start: token.start, end: operand.end };
    }
    if (token.value === "-") {
      this.next();
      const operand = this.parseUnary();
      return { type: "unary", operator: "-", operand, start: token.start, end: operand.end };
    }
    return this.parsePrimary();
  }

  private parsePrimary(): Expression {
    const token = this.next();
    switch (token.kind) {
      case "number":
      case "string":
        return { type: "literal", value: token.value, start: token.start, end: token.end };
      case "word":
        return this.parseWord(token);
      case "punct":
        if (token.value === "(") {
          const inner = this.parseLevel(0);
          this.expect(")");
          return inner;
        }
        if (token.value === "[") return this.parseList(token.start);
        throw new ExpressionSyntaxError(`unexpected '${token.value}'`, token.start);
      case "end":
        throw new ExpressionSyntaxError("expression ends too early", token.start);
    }
  }

  private parseWord(token: Extract<Token, { kind: "word" }>): Expression {
    const constants: Record<string, boolean | null> = {
      true: true,
      false: false,
      null: null,
      True: true,
      False: false,
      None: null,
    };
    if (Object.hasOwn(constants, token.value)) {
      return { type: "literal", value: constants[token.value], start: token.start, end: token.end };
    }
    if (this.peek().value === "(") {
      if (!(BUILTIN_FUNCTIONS as readonly string[]).includes(token.value)) {
        throw new ExpressionSyntaxError(
          `unknown function '${token.value}' (known: ${BUILTIN_FUNCTIONS.join(", ")})`,
          token.start,
        );
      }
      this.next();
      const args: Expression[] = [];
      while (this.peek().value !== ")") {
        args.push(this.parseLevel(0));
        if (this.peek().value !== ")") this.expect(",");
      }
      const close = this.expect(")");
      return { type: "call", name: token.value as BuiltinFunction, args, start: token.start, end: close.end };
    }
    const path = [token.value];
    let end = token.end;
    while (this.peek().value === ".") {
      this.next();
      const part = this.next();
      if (part.kind !== "word") throw new ExpressionSyntaxError(`expected a field name after '.'`, part.start);
      path.push(part.value);
      end = part.end;
    }
    return { type: "path", path, start: token.start, end };
  }

  private parseList(start: number): Expression {
    const items: Expression[] = [];
    while (this.peek().value !== "]") {
      items.push(this.parseLevel(0));
      if (this.peek().value !== "]") this.expect(",");
    }
    const close = this.expect("]");
    return { type: "list", items, start, end: close.end };
  }
}

function describe(token: Token): string {
  return token.kind === "end" ? "end of expression" : `'${token.value}'`;
}

/** Parses an expression; throws ExpressionSyntaxError with the offset of the problem. */
export function parseExpression(source: string): Expression {
  return new Parser(tokenize(source)).parseAll();
}
