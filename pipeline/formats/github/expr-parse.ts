/**
 * GitHub Actions expression syntax (`${{ ... }}`) parsed into a small AST. Bounded: at most
 * MAX_EXPR_LENGTH characters and MAX_EXPR_DEPTH levels of nesting, so a hostile document
 * cannot make the parser recurse without end.
 */
export const MAX_EXPR_LENGTH = 2048;
export const MAX_EXPR_DEPTH = 32;

export type GhLiteral = string | number | boolean | null;

export type GhExpr =
  | { kind: 'literal'; value: GhLiteral }
  | { kind: 'ref'; root: string; path: GhSegment[]; offset: number }
  | { kind: 'call'; name: string; args: GhExpr[]; offset: number }
  | { kind: 'not'; operand: GhExpr }
  | { kind: 'binary'; op: BinaryOp; left: GhExpr; right: GhExpr };

/** A property name, a computed index, or `*` (object filter). */
export type GhSegment = { name: string } | { index: GhExpr } | { star: true };
export type BinaryOp = '&&' | '||' | '==' | '!=' | '<' | '<=' | '>' | '>=';

export class GhExprError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

interface Token {
  type: 'op' | 'ident' | 'string' | 'number' | 'end';
  text: string;
  offset: number;
}

const OPERATORS = ['&&', '||', '==', '!=', '<=', '>=', '<', '>', '!', '(', ')', '[', ']', '.', ',', '*'];

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const c = source[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const start = i;
    if (c === "'") {
      let text = '';
      for (i++; ; i++) {
        if (i >= source.length) throw new GhExprError('unterminated string', start);
        if (source[i] === "'") {
          if (source[i + 1] !== "'") break;
          i++;
        }
        text += source[i];
      }
      i++;
      tokens.push({ type: 'string', text, offset: start });
    } else if (/[0-9]/.test(c) || (c === '-' && /[0-9]/.test(source[i + 1] ?? ''))) {
      const m = /^-?(0x[0-9a-fA-F]+|[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?)/.exec(source.slice(i))!;
      i += m[0].length;
      tokens.push({ type: 'number', text: m[0], offset: start });
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_-]*/.exec(source.slice(i))!;
      i += m[0].length;
      tokens.push({ type: 'ident', text: m[0], offset: start });
    } else {
      const op = OPERATORS.find((o) => source.startsWith(o, i));
      if (!op) throw new GhExprError(`unexpected character "${c}"`, i);
      i += op.length;
      tokens.push({ type: 'op', text: op, offset: start });
    }
  }
  tokens.push({ type: 'end', text: '', offset: source.length });
  return tokens;
}

const PRECEDENCE: BinaryOp[][] = [['||'], ['&&'], ['==', '!='], ['<', '<=', '>', '>=']];

/** Parses one expression (the text between `${{` and `}}`, or a bare `if:`). Throws GhExprError. */
export function parseGhExpression(source: string): GhExpr {
  if (source.length > MAX_EXPR_LENGTH) {
    throw new GhExprError(`expression is longer than ${MAX_EXPR_LENGTH} characters`, 0);
  }
  return new Parser(tokenize(source)).parse();
}

/** Recursive descent over the tokens; depth counts parentheses, brackets, calls and `!`. */
class Parser {
  private pos = 0;

  constructor(private readonly tokens: Token[]) {}

  parse(): GhExpr {
    const expr = this.binary(0, 0);
    if (this.peek().type !== 'end')
      throw new GhExprError(`unexpected "${this.peek().text}"`, this.peek().offset);
    return expr;
  }

  private peek(): Token {
    return this.tokens[this.pos]!;
  }

  private isOp(text: string): boolean {
    return this.peek().type === 'op' && this.peek().text === text;
  }

  private expect(text: string): void {
    if (!this.isOp(text)) throw new GhExprError(`expected "${text}"`, this.peek().offset);
    this.pos++;
  }

  private binary(level: number, depth: number): GhExpr {
    if (level >= PRECEDENCE.length) return this.unary(depth);
    let left = this.binary(level + 1, depth);
    while (this.peek().type === 'op' && (PRECEDENCE[level] as string[]).includes(this.peek().text)) {
      const op = this.tokens[this.pos++]!.text as BinaryOp;
      left = { kind: 'binary', op, left, right: this.binary(level + 1, depth) };
    }
    return left;
  }

  private unary(depth: number): GhExpr {
    if (depth > MAX_EXPR_DEPTH) {
      throw new GhExprError(`expression nests deeper than ${MAX_EXPR_DEPTH}`, this.peek().offset);
    }
    if (this.isOp('!')) {
      this.pos++;
      return { kind: 'not', operand: this.unary(depth + 1) };
    }
    return this.postfix(this.primary(depth), depth);
  }

  private postfix(base: GhExpr, depth: number): GhExpr {
    if (base.kind !== 'ref') return base;
    for (;;) {
      if (this.isOp('.')) {
        this.pos++;
        if (this.isOp('*')) {
          this.pos++;
          base.path.push({ star: true });
        } else if (this.peek().type === 'ident') base.path.push({ name: this.tokens[this.pos++]!.text });
        else throw new GhExprError('expected a property name after "."', this.peek().offset);
      } else if (this.isOp('[')) {
        this.pos++;
        if (this.isOp('*')) {
          this.pos++;
          base.path.push({ star: true });
        } else base.path.push({ index: this.binary(0, depth + 1) });
        this.expect(']');
      } else return base;
    }
  }

  private primary(depth: number): GhExpr {
    const t = this.tokens[this.pos++]!;
    if (t.type === 'string') return { kind: 'literal', value: t.text };
    if (t.type === 'number') return { kind: 'literal', value: Number(t.text) };
    if (t.type === 'op' && t.text === '(') {
      const inner = this.binary(0, depth + 1);
      this.expect(')');
      return inner;
    }
    if (t.type !== 'ident') {
      throw new GhExprError(
        t.type === 'end' ? 'unexpected end of expression' : `unexpected "${t.text}"`,
        t.offset,
      );
    }
    if (t.text === 'true' || t.text === 'false') return { kind: 'literal', value: t.text === 'true' };
    if (t.text === 'null') return { kind: 'literal', value: null };
    if (!this.isOp('(')) return { kind: 'ref', root: t.text, path: [], offset: t.offset };
    this.pos++;
    const args: GhExpr[] = [];
    while (!this.isOp(')')) {
      if (args.length > 0) this.expect(',');
      args.push(this.binary(0, depth + 1));
    }
    this.pos++;
    return { kind: 'call', name: t.text, args, offset: t.offset };
  }
}
