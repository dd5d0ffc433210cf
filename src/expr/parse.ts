// Parses condition expressions (`score > 0.5 and not flagged`, `route in ["a", "b"]`, `len(items) == 0`) with a
// hand-written tokenizer and precedence-climbing parser. Nothing is ever passed to `eval`.
import { BUILTIN_FUNCTIONS, type BinaryOperator, type BuiltinFunction, type Expression } from "../ir/expression-ast.js";

/**
 * How deep an expression may nest (parentheses, lists, calls, `not`, and chains of binary operators, which nest to
 * the left). Walkers recurse over the tree, and the IR file writes it as nested JSON: without a limit, 1,000 nested
 * parentheses or 8,000 `and`s overflowed the stack. Real conditions stay far below.
 */
export const MAX_EXPRESSION_DEPTH = 100;

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

// Sticky, so a long expression is not copied from every token on (the tokenizer stays linear).
const NUMBER = /[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?/y;
const WORD = /[A-Za-z_$][A-Za-z0-9_$]*/y;

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
      NUMBER.lastIndex = i;
      const match = NUMBER.exec(source)!;
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
      WORD.lastIndex = i;
      const match = WORD.exec(source)!;
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
  /** Open parentheses, lists, calls and unary operators around the current token. */
  private nesting = 0;
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
      left = measured({ type: "binary", operator, left, right, start: left.start, end: right.end });
    }
  }

  /** Parses what `parse` reads one nesting level deeper, refusing more than the depth limit. */
  private nested<T extends Expression>(start: number, parse: () => T): T {
    if (++this.nesting > MAX_EXPRESSION_DEPTH) throw tooDeep(start);
    const expression = parse();
    this.nesting--;
    return expression;
  }

  private parseUnary(): Expression {
    const token = this.peek();
    if (token.value === "not" || token.value === "!") {
      this.next();
      const operand = this.nested(token.start, () => this.parseUnary());
      return measured({ type: "unary", operator: "not", operand, start: token.start, end: operand.end });
    }
    if (token.value === "-") {
      this.next();
      const operand = this.nested(token.start, () => this.parseUnary());
      return measured({ type: "unary", operator: "-", operand, start: token.start, end: operand.end });
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
          const inner = this.nested(token.start, () => this.parseLevel(0));
          this.expect(")");
          return inner;
        }
        if (token.value === "[") return this.nested(token.start, () => this.parseList(token.start));
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
      return this.nested(token.start, () => this.parseCall(token));
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

  private parseCall(token: Extract<Token, { kind: "word" }>): Expression {
    this.next();
    const args: Expression[] = [];
    while (this.peek().value !== ")") {
      args.push(this.parseLevel(0));
      if (this.peek().value !== ")") this.expect(",");
    }
    const close = this.expect(")");
    return measured({ type: "call", name: token.value as BuiltinFunction, args, start: token.start, end: close.end });
  }

  private parseList(start: number): Expression {
    const items: Expression[] = [];
    while (this.peek().value !== "]") {
      items.push(this.parseLevel(0));
      if (this.peek().value !== "]") this.expect(",");
    }
    const close = this.expect("]");
    return measured({ type: "list", items, start, end: close.end });
  }
}

/**
 * Depth of each composite expression built so far. The parser's nesting counter bounds its own recursion, but the tree
 * can be deeper than the text's nesting: `a and b and c` nests to the left without a parenthesis.
 */
const depths = new WeakMap<Expression, number>();
const depthOf = (expression: Expression): number => depths.get(expression) ?? 1;

/** Records an expression's depth from its children's; refuses one deeper than the limit. */
function measured<T extends Expression>(expression: T): T {
  const children =
    expression.type === "binary"
      ? [expression.left, expression.right]
      : expression.type === "unary"
        ? [expression.operand]
        : expression.type === "list"
          ? expression.items
          : expression.type === "call"
            ? expression.args
            : [];
  const depth = 1 + children.reduce((deepest, child) => Math.max(deepest, depthOf(child)), 0);
  if (depth > MAX_EXPRESSION_DEPTH) throw tooDeep(expression.start);
  depths.set(expression, depth);
  return expression;
}

const tooDeep = (offset: number) =>
  new ExpressionSyntaxError(`expression nested deeper than ${MAX_EXPRESSION_DEPTH} levels`, offset);

function describe(token: Token): string {
  return token.kind === "end" ? "end of expression" : `'${token.value}'`;
}

/** Parses an expression; throws ExpressionSyntaxError with the offset of the problem. */
export function parseExpression(source: string): Expression {
  return new Parser(tokenize(source)).parseAll();
}
