/**
 * GitLab CI `rules:if` / `workflow:rules:if` expressions -> CEL. The grammar: `$VAR` or
 * `${VAR}`, "string" or 'string', `null`, /regex/flags, the operators == != =~ !~ && || and
 * parentheses; a bare variable tests that it is set and not empty. Bounded like every
 * expression: at most 1,024 characters and 32 levels of parentheses.
 */
const MAX_LENGTH = 1024;
const MAX_DEPTH = 32;

export class GlExprError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

type Token =
  | { kind: 'var' | 'string' | 'regex' | 'op'; text: string; flags?: string; offset: number }
  | { kind: 'null' | 'end'; text: string; offset: number };

const OPS = ['==', '!=', '=~', '!~', '&&', '||', '(', ')'];

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const start = i;
    const variable = /^\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))/.exec(src.slice(i));
    if (variable) {
      out.push({ kind: 'var', text: variable[1] ?? variable[2]!, offset: start });
      i += variable[0].length;
    } else if (c === '"' || c === "'") {
      const end = src.indexOf(c, i + 1);
      if (end < 0) throw new GlExprError('unterminated string', start);
      out.push({ kind: 'string', text: src.slice(i + 1, end), offset: start });
      i = end + 1;
    } else if (c === '/') {
      let j = i + 1;
      while (j < src.length && src[j] !== '/') j += src[j] === '\\' ? 2 : 1;
      if (j >= src.length) throw new GlExprError('unterminated regular expression', start);
      const flags = /^[a-z]*/.exec(src.slice(j + 1))![0];
      out.push({ kind: 'regex', text: src.slice(i + 1, j), flags, offset: start });
      i = j + 1 + flags.length;
    } else if (src.startsWith('null', i)) {
      out.push({ kind: 'null', text: 'null', offset: start });
      i += 4;
    } else {
      const op = OPS.find((o) => src.startsWith(o, i));
      if (!op) throw new GlExprError(`unexpected "${c}"`, i);
      out.push({ kind: 'op', text: op, offset: start });
      i += op.length;
    }
  }
  out.push({ kind: 'end', text: '', offset: src.length });
  return out;
}

/** A variable as CEL (a string expression), given where it is defined. */
export type VariableCel = (name: string) => string;

/** Translates a GitLab expression to a CEL condition. Throws GlExprError. */
export function gitlabConditionToCel(source: string, variable: VariableCel): string {
  if (source.length > MAX_LENGTH)
    throw new GlExprError(`expression is longer than ${MAX_LENGTH} characters`, 0);
  return new Translator(tokenize(source), variable).translate();
}

class Translator {
  private pos = 0;

  constructor(
    private readonly tokens: Token[],
    private readonly variable: VariableCel,
  ) {}

  translate(): string {
    const cel = this.or(0);
    if (this.peek().kind !== 'end')
      throw new GlExprError(`unexpected "${this.peek().text}"`, this.peek().offset);
    return cel;
  }

  private peek(): Token {
    return this.tokens[this.pos]!;
  }

  private isOp(text: string): boolean {
    return this.peek().kind === 'op' && this.peek().text === text;
  }

  private or(depth: number): string {
    let left = this.and(depth);
    while (this.isOp('||')) {
      this.pos++;
      left = `(${left} || ${this.and(depth)})`;
    }
    return left;
  }

  private and(depth: number): string {
    let left = this.comparison(depth);
    while (this.isOp('&&')) {
      this.pos++;
      left = `(${left} && ${this.comparison(depth)})`;
    }
    return left;
  }

  private comparison(depth: number): string {
    if (this.isOp('(')) {
      if (depth >= MAX_DEPTH)
        throw new GlExprError(`more than ${MAX_DEPTH} levels of parentheses`, this.peek().offset);
      this.pos++;
      const inner = this.or(depth + 1);
      if (!this.isOp(')')) throw new GlExprError('expected ")"', this.peek().offset);
      this.pos++;
      return inner;
    }
    const left = this.operand();
    if (!['==', '!=', '=~', '!~'].some((op) => this.isOp(op))) {
      if (left.kind !== 'var') throw new GlExprError('a value on its own must be a variable', left.offset);
      return `(${this.variable(left.text)} != '')`;
    }
    const op = this.tokens[this.pos++]!.text;
    const right = this.operand();
    if (op === '=~' || op === '!~') {
      if (right.kind !== 'regex')
        throw new GlExprError(`${op} needs a /regular expression/ on its right`, right.offset);
      const flags = right.flags?.includes('i') ? '(?i)' : '';
      const test = `${this.value(left)}.matches(${celString(flags + right.text)})`;
      return op === '=~' ? test : `!${test}`;
    }
    const test = `${this.value(left)} == ${this.value(right)}`;
    return op === '==' ? `(${test})` : `!(${test})`;
  }

  private operand(): Token {
    const t = this.tokens[this.pos++]!;
    if (t.kind === 'end' || t.kind === 'op') {
      throw new GlExprError(
        t.kind === 'end' ? 'unexpected end of expression' : `unexpected "${t.text}"`,
        t.offset,
      );
    }
    return t;
  }

  /** null and unset variables both read as '' (GitLab's unset variables compare equal to null). */
  private value(t: Token): string {
    if (t.kind === 'var') return this.variable(t.text);
    return t.kind === 'null' ? "''" : celString(t.text);
  }
}

export function celString(text: string): string {
  return JSON.stringify(text).replace(/[{}]/g, (c) => (c === '{' ? '\\u007b' : '\\u007d'));
}
