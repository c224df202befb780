import { isMap, isScalar, isSeq, stringify, type Node, type Pair, type YAMLMap } from 'yaml';

/**
 * Edits made as text splices at the parsed nodes' source ranges, so the rest of the document,
 * other steps' `run: |` blocks included, stays byte for byte as the user wrote it. Each helper
 * returns undefined when the shape is one it does not handle; the caller then edits the model.
 */

type Ranged = { range?: [number, number, number] | null };

function range(node: unknown): [number, number, number] | undefined {
  return (node as Ranged | null)?.range ?? undefined;
}

function replace(source: string, from: number, to: number, text: string): string {
  return source.slice(0, from) + text + source.slice(to);
}

/** The offset where the line holding `offset` starts. */
function lineStart(source: string, offset: number): number {
  return source.lastIndexOf('\n', offset - 1) + 1;
}

/** The offset just past the line holding `offset - 1` (its newline included). */
function lineEndAfter(source: string, offset: number): number {
  if (offset > 0 && source[offset - 1] === '\n') return offset;
  const nl = source.indexOf('\n', offset);
  return nl < 0 ? source.length : nl + 1;
}

/** A one-line YAML scalar for `value`, or undefined for what needs more than one line. */
export function inlineScalar(value: unknown): string | undefined {
  if (typeof value === 'string' && /[\n\r]/.test(value)) return undefined;
  if (value !== null && typeof value === 'object') return undefined;
  const text = stringify(value, { lineWidth: 0 }).trimEnd();
  return text.includes('\n') ? undefined : text;
}

function pairOf(map: YAMLMap, key: string): Pair | undefined {
  return map.items.find((p) => isScalar(p.key) && p.key.value === key) as Pair | undefined;
}

/** Where a block map's keys start (its column), from its first key. */
function keyIndent(source: string, map: YAMLMap): string | undefined {
  const first = range(map.items[0]?.key);
  if (!first) return undefined;
  const start = lineStart(source, first[0]);
  const prefix = source.slice(start, first[0]);
  // a key on a `- ` line sits after the dash: its indentation is as wide as that prefix
  return /^[ -]*$/.test(prefix) ? ' '.repeat(prefix.length) : undefined;
}

/** Sets `key: value` in a block map: the value replaced in place, or a new line after the map. */
export function setInMap(source: string, map: YAMLMap, key: string, value: string): string | undefined {
  if (map.flow) return undefined;
  const pair = pairOf(map, key);
  const current = range(pair?.value);
  if (pair && current && (isScalar(pair.value) || isSeq(pair.value))) {
    return replace(source, current[0], current[1], value);
  }
  if (pair) return undefined;
  const indent = keyIndent(source, map);
  const end = range(map)?.[1];
  if (indent === undefined || end === undefined) return undefined;
  const at = lineEndAfter(source, end);
  const newline = at === source.length && !source.endsWith('\n') ? '\n' : '';
  return replace(source, at, at, `${newline}${indent}${key}: ${value}\n`);
}

/** Removes a one-line `key: value` pair from a block map. */
export function deleteFromMap(source: string, map: YAMLMap, key: string): string | undefined {
  if (map.flow || map.items.length < 2) return undefined;
  const pair = pairOf(map, key);
  const k = range(pair?.key);
  const v = range(pair?.value);
  if (!k || !v) return undefined;
  const start = lineStart(source, k[0]);
  const end = lineEndAfter(source, v[1]);
  if (source.slice(start, end).trimEnd().includes('\n')) return undefined;
  if (!/^\s*$/.test(source.slice(start, k[0]))) return undefined; // the key shares its line with a `- `
  return source.slice(0, start) + source.slice(end);
}

/** Adds a block-map child under `key` (`with:` and its first entry) after the step's last line. */
export function addChildMap(source: string, step: YAMLMap, key: string, child: string, value: string) {
  if (step.flow) return undefined;
  const indent = keyIndent(source, step);
  const end = range(step)?.[1];
  if (indent === undefined || end === undefined) return undefined;
  const at = lineEndAfter(source, end);
  const newline = at === source.length && !source.endsWith('\n') ? '\n' : '';
  return replace(source, at, at, `${newline}${indent}${key}:\n${indent}  ${child}: ${value}\n`);
}

/** A flow sequence's text, `[a, b]`. */
export function flowSeq(items: string[]): string {
  return `[${items.map((i) => inlineScalar(i) ?? JSON.stringify(i)).join(', ')}]`;
}

export function isNodeMap(node: unknown): node is YAMLMap {
  return isMap(node as Node);
}

/** Adds `key: value` on its own line right after the line of `afterKey` in a block map. */
export function insertAfterKey(
  source: string,
  map: YAMLMap,
  afterKey: string,
  key: string,
  value: string,
): string | undefined {
  if (map.flow) return undefined;
  const after = pairOf(map, afterKey);
  const v = range(after?.value);
  const indent = keyIndent(source, map);
  if (!v || indent === undefined || !isScalar(after?.value)) return undefined;
  const at = lineEndAfter(source, v[1]);
  return replace(source, at, at, `${indent}${key}: ${value}\n`);
}
