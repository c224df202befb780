import { CST, Lexer } from 'yaml';

/**
 * Most levels the pre-scan lets through to the YAML parser. Its estimate exceeds the real depth
 * by a level or two (a scalar after `key:` counts as one), so documents the exact check after
 * parsing accepts (MAX_DEPTH) pass; the parser itself overflows its stack near 850 levels, and a
 * regex compiled during that overflow aborts the process (V8 "RegExpCompiler Allocation failed").
 */
export const MAX_SCANNED_DEPTH = 80;

/**
 * Limit for Kubernetes manifests the worker parses (kubectl jobs, kubernetes-apply, -deploy):
 * deeper than any real object (CRD schemas included), far below the parser's overflow.
 */
export const MAX_MANIFEST_DEPTH = 256;

/** Where the nesting first exceeds `limit`, as an offset into the source. */
export interface TooDeep {
  offset: number;
}

interface BlockLevel {
  col: number;
  /** Opened by a `-` item. */
  seq: boolean;
  /** A block list written at the same column as its parent map (`key:\n- a`). */
  sameColumn: boolean;
}

const INDICATORS = new Set(['seq-item-ind', 'explicit-key-ind', 'map-value-ind']);
/** Tokens the lexer emits that are not slices of the source. */
const CONTROL = new Set(['\x02', '\x18', '\x1f']);

/**
 * Estimates the nesting of a YAML document from its tokens, with no recursion and no parse,
 * so a hostile document is refused before the recursive parser sees it. Flow collections are
 * counted exactly; block collections by the columns at which they may start (every line's first
 * token, every indicator and the token after one): a real open block collection always has its
 * column on that stack, so the estimate is never below the real depth.
 */
export function scanNesting(source: string, limit = MAX_SCANNED_DEPTH): TooDeep | undefined {
  let offset = 0;
  let lineStart = 0;
  let flow = 0;
  let atLineStart = true;
  let afterIndicator = false;
  const block: BlockLevel[] = [];
  for (const token of new Lexer().lex(source)) {
    if (token === '\x18') flow = 0; // the lexer closed a broken flow collection
    if (CONTROL.has(token)) continue;
    const at = offset;
    offset += token.length;
    const type = CST.tokenType(token);
    const newline = token.lastIndexOf('\n');
    if (newline >= 0) {
      // a newline token, or a scalar spanning lines (a block scalar ends with its newline)
      lineStart = at + newline + 1;
      if (lineStart === offset) {
        atLineStart = true;
        afterIndicator = false;
        continue;
      }
    }
    if (type === 'space' || type === 'comment' || type === 'newline') continue;
    if (type === 'doc-start' || type === 'doc-end') {
      block.length = 0;
      flow = 0;
      continue;
    }
    const startsNode =
      atLineStart || afterIndicator || type === 'seq-item-ind' || type === 'explicit-key-ind';
    if (flow === 0 && startsNode) openBlockLevel(block, at - lineStart, type === 'seq-item-ind');
    if (type === 'flow-map-start' || type === 'flow-seq-start') flow++;
    else if ((type === 'flow-map-end' || type === 'flow-seq-end') && flow > 0) flow--;
    atLineStart = false;
    afterIndicator = flow === 0 && INDICATORS.has(type ?? '');
    if (block.length + flow > limit) return { offset: at };
  }
  return undefined;
}

/** Closes the levels a token at `col` ends and opens the one it may start. */
function openBlockLevel(block: BlockLevel[], col: number, isSeqItem: boolean): void {
  while (block.length > 0 && block[block.length - 1]!.col > col) block.pop();
  const top = block[block.length - 1];
  if (!top || top.col < col) block.push({ col, seq: isSeqItem, sameColumn: false });
  else if (isSeqItem && !top.seq) block.push({ col, seq: true, sameColumn: true });
  else if (!isSeqItem && top.sameColumn) block.pop();
}
