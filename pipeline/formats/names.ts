/**
 * A valid pipeline name ([a-z][a-z0-9-]{0,62}) from a free-text name ("Build & Test") or a
 * file name (".github/workflows/ci.yml" -> "ci", ".gitlab-ci.yml" -> "gitlab-ci").
 */
export function pipelineNameFrom(
  name: string | undefined,
  fileName: string | undefined,
  fallback: string,
): string {
  for (const candidate of [name, fileBase(fileName)]) {
    const slug = slugify(candidate ?? '');
    if (slug) return slug;
  }
  return fallback;
}

export function slugify(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^[^a-z]+/, '')
    .slice(0, 63)
    .replace(/-+$/, '');
}

function fileBase(fileName: string | undefined): string | undefined {
  if (!fileName) return undefined;
  const base = fileName.split(/[\\/]/).pop() ?? '';
  return base.replace(/^\./, '').replace(/\.(ya?ml)$/i, '');
}
