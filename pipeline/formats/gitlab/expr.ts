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
  if (source.length > MAX_LENGTH) throw new GlExprError(`expression is longer than ${MAX_LENGTH} characters`, 0);
  const tokens = tokenize(source);
  let pos = 0;
  const peek = () => tokens[pos]!;
  const isOp = (t: string) => peek().kind === 'op' && peek().text === t;

  const or = (depth: number): string => {
    let left = and(depth);
    while (isOp('||')) {
      pos++;
      left = `(${left} || ${and(depth)})`;
    }
    return left;
  };
  const and = (depth: number): string => {
    let left = comparison(depth);
    while (isOp('&&')) {
      pos++;
      left = `(${left} && ${comparison(depth)})`;
    }
    return left;
  };
  const comparison = (depth: number): string => {
    if (isOp('(')) {
      if (depth >= MAX_DEPTH) throw new GlExprError(`more than ${MAX_DEPTH} levels of parentheses`, peek().offset);
      pos++;
      const inner = or(depth + 1);
      if (!isOp(')')) throw new GlExprError('expected ")"', peek().offset);
      pos++;
      return inner;
    }
    const left = operand();
    if (!['==', '!=', '=~', '!~'].some(isOp)) {
      if (left.kind !== 'var') throw new GlExprError('a value on its own must be a variable', left.offset);
      return `(${variable(left.text)} != '')`;
    }
    const op = tokens[pos++]!.text;
    const right = operand();
    if (op === '=~' || op === '!~') {
      if (right.kind !== 'regex') throw new GlExprError(`${op} needs a /regular expression/ on its right`, right.offset);
      const flags = right.flags?.includes('i') ? '(?i)' : '';
      const test = `${value(left)}.matches(${JSON.stringify(flags + right.text)})`;
      return op === '=~' ? test : `!${test}`;
    }
    const test = `${value(left)} == ${value(right)}`;
    return op === '==' ? `(${test})` : `!(${test})`;
  };
  const operand = (): Token => {
    const t = tokens[pos++]!;
    if (t.kind === 'end' || t.kind === 'op') throw new GlExprError(t.kind === 'end' ? 'unexpected end of expression' : `unexpected "${t.text}"`, t.offset);
    return t;
  };
  // null and unset variables both read as '' (GitLab's unset variables compare equal to null)
  const value = (t: Token): string =>
    t.kind === 'var' ? variable(t.text) : t.kind === 'null' ? "''" : t.kind === 'string' ? celString(t.text) : celString(t.text);

  const cel = or(0);
  if (peek().kind !== 'end') throw new GlExprError(`unexpected "${peek().text}"`, peek().offset);
  return cel;
}

export function celString(text: string): string {
  return JSON.stringify(text).replace(/[{}]/g, (c) => (c === '{' ? '\\u007b' : '\\u007d'));
}
