import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import { appendPath, formatPath, type PathSegment, type PipelineError } from './errors';
import { scanNesting } from './nesting';

/** Largest source accepted, in UTF-8 bytes. */
export const MAX_SOURCE_BYTES = 1024 * 1024;
/** Most YAML nodes a document may expand to, counting alias expansions (billion laughs guard). */
export const MAX_EXPANDED_NODES = 200_000;
/** Deepest nesting of maps and lists accepted (the yaml parser itself overflows near 850). */
export const MAX_DEPTH = 64;
const TOO_DEEP = `nesting is too deep: at most ${MAX_DEPTH} levels of maps and lists`;

/** Alias budget handed to the yaml package's own toJS check. */
const MAX_ALIAS_COUNT = 100;

export interface Position {
  line: number;
  col: number;
}

interface Entry {
  node: Node;
  keyNode?: Node;
}

/** Answers "where in the YAML is this path", for error messages. */
export interface SourceMap {
  locate(path: readonly PathSegment[]): Position;
  /** Position of the key of the last path segment (falls back to the value). */
  locateKey(path: readonly PathSegment[]): Position;
  /** Position of the character at `offset` inside the string value at `path`. */
  locateInString(path: readonly PathSegment[], offset: number): Position;
  error(path: readonly PathSegment[], message: string, at?: Position): PipelineError;
}

export type ParseResult =
  { ok: true; value: unknown; map: SourceMap } | { ok: false; errors: PipelineError[] };

/** Parses one YAML document, keeping the position of every node. Never throws. */
export function parseYaml(source: string): ParseResult {
  if (utf8Length(source) > MAX_SOURCE_BYTES) {
    return { ok: false, errors: [docError(`document is larger than ${MAX_SOURCE_BYTES} bytes (1 MiB)`)] };
  }
  // before the recursive parser: past ~850 levels it overflows its stack and can abort the process
  const tooDeep = scanNesting(source);
  if (tooDeep)
    return { ok: false, errors: [{ path: '', ...positionOf(source, tooDeep.offset), message: TOO_DEEP }] };
  const lineCounter = new LineCounter();
  const doc = parseDocument(source, { lineCounter, uniqueKeys: true, prettyErrors: false });
  const pos = (offset: number): Position => {
    const p = lineCounter.linePos(offset);
    return { line: Math.max(1, p.line), col: Math.max(1, p.col) };
  };
  const parsed: PipelineError[] = [...doc.errors, ...doc.warnings].map((e) => ({
    path: '',
    ...pos(e.pos[0]),
    message: /Maximum call stack size exceeded/.test(e.message) ? TOO_DEEP : firstLine(e.message),
  }));
  // a stack overflow in the YAML parser can surface more than once; one located line says it
  const errors = parsed.filter(
    (e, i) => e.message !== TOO_DEEP || parsed.findIndex((x) => x.message === TOO_DEEP) === i,
  );
  if (errors.length > 0) return { ok: false, errors };
  if (doc.contents === null) return { ok: false, errors: [docError('document is empty')] };

  if (expandedSize(doc, doc.contents, new Map(), new Set()) > MAX_EXPANDED_NODES) {
    return {
      ok: false,
      errors: [docError(`document expands to more than ${MAX_EXPANDED_NODES} nodes (aliases or nesting)`)],
    };
  }
  const entries = new Map<string, Entry>();
  const built = buildValue(doc, entries, pos);
  if (!built.ok) return built;
  try {
    // Second, independent guard: the yaml package's own alias expansion budget.
    doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (e) {
    return { ok: false, errors: [docError(`aliases expand too much: ${(e as Error).message}`)] };
  }
  return { ok: true, value: built.value, map: sourceMap(source, entries, pos) };
}

function buildValue(
  doc: Document.Parsed,
  entries: Map<string, Entry>,
  pos: (offset: number) => Position,
): { ok: true; value: unknown } | { ok: false; errors: PipelineError[] } {
  const errors: PipelineError[] = [];
  let count = 0;
  const active = new Set<Node>();
  const at = (node: Node | null | undefined, path: string, message: string) =>
    errors.push({ path, ...pos(node?.range?.[0] ?? 0), message });

  const build = (node: unknown, key: string, keyNode?: Node, depth = 0): unknown => {
    if (++count > MAX_EXPANDED_NODES) throw new ExpansionError();
    if (depth > MAX_DEPTH) {
      at(node as Node, key, TOO_DEEP);
      throw new TooDeepError();
    }
    if (node === null || node === undefined) {
      if (keyNode && !entries.has(key)) entries.set(key, { node: keyNode, keyNode });
      return null;
    }
    if (!entries.has(key)) entries.set(key, { node: node as Node, keyNode });
    if (isAlias(node)) {
      const target = node.resolve(doc);
      if (!target || active.has(target)) {
        at(node, key, `alias *${node.source} cannot be resolved`);
        return null;
      }
      active.add(target);
      try {
        return build(target, key, keyNode, depth);
      } finally {
        active.delete(target);
      }
    }
    if (isScalar(node)) {
      const v = node.value;
      if (typeof v === 'bigint') return Number(v);
      if (v !== null && typeof v === 'object') return String(v);
      return v;
    }
    if (isSeq(node))
      return node.items.map((item, i) => build(item, appendPath(key, i), undefined, depth + 1));
    if (isMap(node)) {
      const obj: Record<string, unknown> = {};
      for (const pair of node.items) {
        const k = pair.key as Node | null;
        const kv = isScalar(k) ? k.value : undefined;
        if (!isScalar(k) || kv === null || (typeof kv === 'object' && kv !== null)) {
          at(k ?? node, key, 'mapping keys must be plain strings');
          continue;
        }
        const name = String(kv);
        if (name === '__proto__') {
          at(k, key, 'key "__proto__" is not allowed');
          continue;
        }
        obj[name] = build(pair.value, appendPath(key, name), k, depth + 1);
      }
      return obj;
    }
    at(node as Node, key, 'unsupported YAML node');
    return null;
  };

  try {
    const value = build(doc.contents, '');
    return errors.length > 0 ? { ok: false, errors } : { ok: true, value };
  } catch (e) {
    if (e instanceof TooDeepError) return { ok: false, errors };
    if (e instanceof ExpansionError || e instanceof RangeError) {
      return {
        ok: false,
        errors: [docError(`document expands to more than ${MAX_EXPANDED_NODES} nodes (aliases or nesting)`)],
      };
    }
    throw e;
  }
}

class ExpansionError extends Error {}
class TooDeepError extends Error {}

/** Node count after alias expansion, computed without expanding (each anchor sized once). */
function expandedSize(
  doc: Document.Parsed,
  node: unknown,
  memo: Map<unknown, number>,
  active: Set<unknown>,
): number {
  if (node === null || node === undefined) return 1;
  const known = memo.get(node);
  if (known !== undefined) return known;
  if (active.has(node)) return Infinity;
  active.add(node);
  let size = 1;
  if (isAlias(node)) size += expandedSize(doc, node.resolve(doc), memo, active);
  else if (isSeq(node)) for (const item of node.items) size += expandedSize(doc, item, memo, active);
  else if (isMap(node)) {
    for (const pair of node.items) {
      size += expandedSize(doc, pair.key, memo, active) + expandedSize(doc, pair.value, memo, active);
    }
  }
  active.delete(node);
  size = Math.min(size, Number.MAX_SAFE_INTEGER);
  memo.set(node, size);
  return size;
}

function sourceMap(source: string, entries: Map<string, Entry>, pos: (o: number) => Position): SourceMap {
  const find = (path: readonly PathSegment[]): Entry | undefined => {
    for (let n = path.length; n >= 0; n--) {
      const e = entries.get(formatPath(path.slice(0, n)));
      if (e) return e;
    }
    return undefined;
  };
  const locate = (path: readonly PathSegment[]) => pos(find(path)?.node.range?.[0] ?? 0);
  const map: SourceMap = {
    locate,
    locateKey(path) {
      const e = entries.get(formatPath(path));
      return e?.keyNode?.range ? pos(e.keyNode.range[0]) : locate(path);
    },
    locateInString(path, offset) {
      const e = entries.get(formatPath(path));
      const range = e?.node.range;
      if (!e || !range || !isScalar(e.node) || typeof e.node.value !== 'string') return locate(path);
      const sourceOffset = findInRaw(source.slice(range[0], range[1]), e.node.value, offset);
      return pos(range[0] + (sourceOffset ?? 0));
    },
    error: (path, message, at) => ({ path: formatPath(path), ...(at ?? locate(path)), message }),
  };
  return map;
}

/**
 * Maps an offset in a parsed string to an offset in its raw YAML text by finding the
 * value's line verbatim in the raw text (true for plain, simple quoted and block
 * literal scalars). Returns undefined when escapes or folding make that impossible.
 */
function findInRaw(raw: string, value: string, offset: number): number | undefined {
  const lineStart = value.lastIndexOf('\n', offset - 1) + 1;
  let lineEnd = value.indexOf('\n', offset);
  if (lineEnd < 0) lineEnd = value.length;
  const line = value.slice(lineStart, lineEnd);
  if (line.length === 0) return undefined;
  let occurrence = 0;
  for (let i = value.indexOf(line); i >= 0 && i < lineStart; i = value.indexOf(line, i + 1)) occurrence++;
  let found = -1;
  for (let i = 0; i <= occurrence; i++) {
    found = raw.indexOf(line, found + 1);
    if (found < 0) return undefined;
  }
  return found + (offset - lineStart);
}

function positionOf(source: string, offset: number): Position {
  let line = 1;
  let lineStart = 0;
  for (let i = source.indexOf('\n'); i >= 0 && i < offset; i = source.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, col: offset - lineStart + 1 };
}

function docError(message: string): PipelineError {
  return { path: '', line: 1, col: 1, message };
}

function firstLine(message: string): string {
  return message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
}

function utf8Length(s: string): number {
  if (s.length > MAX_SOURCE_BYTES) return s.length;
  let bytes = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}
