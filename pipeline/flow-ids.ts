import { ID_PATTERN } from './schema';

const MAX_ID = 63;
const HASH_LENGTH = 8;

/**
 * Step ids for flow stages and jobs. Real flows repeat names and use names far longer than a
 * step id may be, so an id derived from a long name ends in a hash of the whole name, and a
 * repeated one gets `-2`, `-3`...: every job gets its own id, and the same flow always the same ids.
 */
export class FlowIds {
  private readonly taken = new Set<string>();

  claim(raw: string): string {
    const base = shortened(raw);
    let id = base;
    for (let n = 2; this.taken.has(id); n++) {
      const suffix = `-${n}`;
      id = `${base.slice(0, MAX_ID - suffix.length).replace(/-+$/, '')}${suffix}`;
    }
    this.taken.add(id);
    return id;
  }
}

/** Lowercases and replaces anything outside [a-z0-9-] so flow names become valid step ids. */
export function sanitiseId(raw: string): string {
  let id = raw
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^-+|-+$/g, '');
  if (!/^[a-z]/.test(id)) id = `s-${id}`.replace(/-+$/, '');
  return id;
}

function shortened(raw: string): string {
  const id = sanitiseId(raw);
  if (id.length <= MAX_ID) return ID_PATTERN.test(id) ? id : 's';
  const head = id.slice(0, MAX_ID - HASH_LENGTH - 1).replace(/-+$/, '');
  return `${head}-${fnv1a(raw)}`;
}

/** FNV-1a, 32 bits, as 8 hex digits: pure (the workflow bundle imports pipeline/), stable. */
function fnv1a(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(HASH_LENGTH, '0');
}
