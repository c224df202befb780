import { isMap, isScalar, isSeq, parseDocument, YAMLMap, YAMLSeq, type Document } from 'yaml';
import { addChildMap, deleteFromMap, flowSeq, inlineScalar, insertAfterKey, setInMap } from './text-splice';

/**
 * Graph edits applied to the YAML text. Field edits (an input, a need) splice the text at the
 * parsed node's range, so nothing else changes; other edits go through the `yaml` Document
 * model, which keeps comments and key order.
 */

export interface DocStep {
  id: string;
  section: 'steps' | 'finally';
  uses?: string;
  run?: string;
  approval: boolean;
  needs: string[];
  with: Record<string, unknown>;
}

export const NEW_PIPELINE = `apiVersion: containerops/v1
kind: Pipeline
name: my-pipeline
description: Describe what this pipeline does
steps: []
`;

function parse(source: string): Document.Parsed {
  return parseDocument(source, { keepSourceTokens: false });
}

function stepsOf(doc: Document, section: 'steps' | 'finally' = 'steps'): YAMLSeq | undefined {
  const seq = doc.get(section, true);
  return isSeq(seq) ? seq : undefined;
}

function plain(value: unknown): unknown {
  return value && typeof value === 'object' && 'toJSON' in value
    ? (value as { toJSON(): unknown }).toJSON()
    : value;
}

/** The steps the graph shows, or undefined while the text is not a YAML mapping. */
export function readSteps(source: string): DocStep[] | undefined {
  const doc = parse(source);
  if (doc.errors.length > 0 || !isMap(doc.contents)) return undefined;
  const out: DocStep[] = [];
  for (const section of ['steps', 'finally'] as const) {
    for (const item of stepsOf(doc, section)?.items ?? []) {
      if (!isMap(item)) continue;
      const id = item.get('id');
      if (typeof id !== 'string' || id === '') continue;
      const needs = plain(item.get('needs'));
      const withValue = plain(item.get('with'));
      out.push({
        id,
        section,
        uses: typeof item.get('uses') === 'string' ? (item.get('uses') as string) : undefined,
        run: typeof item.get('run') === 'string' ? (item.get('run') as string) : undefined,
        approval: item.has('approval'),
        needs: Array.isArray(needs) ? needs.filter((n): n is string => typeof n === 'string') : [],
        with:
          withValue && typeof withValue === 'object' && !Array.isArray(withValue)
            ? (withValue as Record<string, unknown>)
            : {},
      });
    }
  }
  return out;
}

function findStep(doc: Document, id: string): YAMLMap | undefined {
  for (const section of ['steps', 'finally'] as const) {
    for (const item of stepsOf(doc, section)?.items ?? [])
      if (isMap(item) && item.get('id') === id) return item;
  }
  return undefined;
}

function edit(source: string, change: (doc: Document) => void): string {
  const doc = parse(source.trim() === '' ? NEW_PIPELINE : source);
  if (doc.errors.length > 0) return source;
  change(doc);
  return doc.toString({ lineWidth: 0, flowCollectionPadding: false });
}

export function uniqueStepId(source: string, base: string): string {
  const taken = new Set((readSteps(source) ?? []).map((s) => s.id));
  const clean = base.replace(/[^a-z0-9-]/g, '-').replace(/^[^a-z]+/, '') || 'step';
  if (!taken.has(clean)) return clean;
  for (let i = 2; ; i++) if (!taken.has(`${clean}-${i}`)) return `${clean}-${i}`;
}

/** A catalog step (`uses`) or a plain script step (`run`). */
export function addStep(
  source: string,
  step: { id: string; uses: string } | { id: string; run: string },
): string {
  return edit(source, (doc) => {
    let seq = stepsOf(doc);
    if (!seq) {
      seq = new YAMLSeq();
      doc.set('steps', seq);
    }
    seq.flow = false;
    const node = doc.createNode({ ...step }) as YAMLMap;
    seq.items.push(node);
  });
}

/** The step `id` of a parsed, valid source, for an edit in place. */
function stepForSplice(source: string, id: string): YAMLMap | undefined {
  const doc = parse(source);
  return doc.errors.length > 0 ? undefined : findStep(doc, id);
}

function needsOf(step: YAMLMap): string[] {
  const needs = step.get('needs', true);
  return isSeq(needs) ? needs.items.map((n) => String(isScalar(n) ? n.value : n)) : [];
}

function spliceNeeds(source: string, step: YAMLMap, needs: string[]): string | undefined {
  const current = step.get('needs', true);
  if (current === undefined) return insertAfterKey(source, step, 'id', 'needs', flowSeq(needs));
  if (!isSeq(current) || !current.flow) return undefined;
  return needs.length
    ? setInMap(source, step, 'needs', flowSeq(needs))
    : deleteFromMap(source, step, 'needs');
}

/** Drawing an edge from `from` to `to` adds `from` to `to`'s needs. */
export function addNeed(source: string, to: string, from: string): string {
  const step = stepForSplice(source, to);
  if (step && from !== to) {
    const needs = needsOf(step);
    if (needs.includes(from)) return source;
    const spliced = spliceNeeds(source, step, [...needs, from]);
    if (spliced !== undefined) return spliced;
  }
  return edit(source, (doc) => {
    const step = findStep(doc, to);
    if (!step || from === to) return;
    const needs = step.get('needs', true);
    if (isSeq(needs)) {
      if (!needs.items.some((n) => (isScalar(n) ? n.value : n) === from)) needs.add(from);
    } else {
      const seq = doc.createNode([from]) as YAMLSeq;
      seq.flow = true;
      // keep `needs` right after `id` where it reads best
      const at = step.items.findIndex((p) => isScalar(p.key) && p.key.value === 'id');
      step.items.splice(at + 1, 0, doc.createPair('needs', seq));
    }
  });
}

export function removeNeed(source: string, to: string, from: string): string {
  const step = stepForSplice(source, to);
  if (step && needsOf(step).includes(from)) {
    const spliced = spliceNeeds(
      source,
      step,
      needsOf(step).filter((n) => n !== from),
    );
    if (spliced !== undefined) return spliced;
  }
  return edit(source, (doc) => {
    const step = findStep(doc, to);
    const needs = step?.get('needs', true);
    if (!step || !isSeq(needs)) return;
    needs.items = needs.items.filter((n) => (isScalar(n) ? n.value : n) !== from);
    if (needs.items.length === 0) step.delete('needs');
  });
}

export function removeStep(source: string, id: string): string {
  return edit(source, (doc) => {
    for (const section of ['steps', 'finally'] as const) {
      const seq = stepsOf(doc, section);
      if (seq) seq.items = seq.items.filter((item) => !(isMap(item) && item.get('id') === id));
    }
    for (const step of readSteps(doc.toString()) ?? []) {
      if (step.needs.includes(id)) {
        const node = findStep(doc, step.id)!;
        const needs = node.get('needs', true);
        if (isSeq(needs)) {
          needs.items = needs.items.filter((n) => (isScalar(n) ? n.value : n) !== id);
          if (needs.items.length === 0) node.delete('needs');
        }
      }
    }
  });
}

/** Sets (or with undefined, removes) one `with:` input of a step. */
export function setInput(source: string, id: string, name: string, value: unknown): string {
  const spliced = spliceInput(source, id, name, value);
  if (spliced !== undefined) return spliced;
  return edit(source, (doc) => {
    const step = findStep(doc, id);
    if (!step) return;
    const current = step.get('with', true) as unknown;
    if (value === undefined || value === '') {
      if (isMap(current)) {
        current.delete(name);
        if (current.items.length === 0) step.delete('with');
      }
      return;
    }
    let inputs: YAMLMap;
    if (isMap(current)) inputs = current;
    else {
      inputs = new YAMLMap();
      step.set('with', inputs);
    }
    inputs.set(name, value);
  });
}

function spliceInput(source: string, id: string, name: string, value: unknown): string | undefined {
  const step = stepForSplice(source, id);
  if (!step) return undefined;
  const inputs = step.get('with', true);
  if (value === undefined || value === '')
    return isMap(inputs) ? deleteFromMap(source, inputs, name) : undefined;
  const text = inlineScalar(value);
  if (text === undefined) return undefined;
  if (isMap(inputs)) return setInMap(source, inputs, name, text);
  return inputs === undefined ? addChildMap(source, step, 'with', name, text) : undefined;
}
