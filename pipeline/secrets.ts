import { findTemplates } from './expressions';

/**
 * References to secret values. A `${{ secrets.NAME }}` in `env:` or `with:` (and a param declared
 * `secret: true`) never becomes a value in the workflow: the compiler (or the API, for params)
 * leaves a reference marker in its place, the workflow passes the marker along as plain text, and
 * the step activity swaps it for the value just before the step runs.
 */

/** Secret names: identifiers, as env names are. */
export const SECRET_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
const WHOLE_SECRET_REFERENCE = /^secrets\.([A-Za-z_][A-Za-z0-9_]*)$/;

// Private-use code points: no YAML author types them, and they survive JSON and Temporal payloads.
const OPEN = '\uE000';
const CLOSE = '\uE001';

export type SecretKind = 'secrets' | 'params';
export interface SecretReference {
  kind: SecretKind;
  name: string;
}

export function secretMarker(kind: SecretKind, name: string): string {
  return `${OPEN}${kind}.${name}${CLOSE}`;
}

/** Matches every marker in a string; group 1 is the kind, group 2 the name. */
export function markerPattern(): RegExp {
  return new RegExp(`${OPEN}(secrets|params)\\.([A-Za-z_][A-Za-z0-9_]*)${CLOSE}`, 'g');
}

export function hasMarker(value: string): boolean {
  return value.includes(OPEN);
}

/** `secrets.NAME` (the whole CEL source of a template) -> NAME. */
export function secretNameOf(source: string): string | undefined {
  return WHOLE_SECRET_REFERENCE.exec(source)?.[1];
}

/** Replaces each `${{ secrets.NAME }}` in a value by its marker; other templates stay. */
export function markSecretTemplates(value: string): string {
  const { templates } = findTemplates(value);
  let out = '';
  let last = 0;
  for (const t of templates) {
    const name = secretNameOf(t.source);
    if (name === undefined) continue;
    out += value.slice(last, t.start) + secretMarker('secrets', name);
    last = t.end;
  }
  return out + value.slice(last);
}

/** Every reference marker in the values of a record. */
export function referencesIn(record: Record<string, string>): SecretReference[] {
  const found = new Map<string, SecretReference>();
  for (const value of Object.values(record)) {
    if (!hasMarker(value)) continue;
    for (const m of value.matchAll(markerPattern())) {
      found.set(`${m[1]}.${m[2]}`, { kind: m[1] as SecretKind, name: m[2]! });
    }
  }
  return [...found.values()];
}
