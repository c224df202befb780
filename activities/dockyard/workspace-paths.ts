import path from 'node:path';

/** Whether `target` (absolute) lies inside `root` (absolute), or is root itself. */
export function isInside(root: string, target: string): boolean {
  const rel = path.relative(root, target);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/** Why a tar entry may not be written into the workspace, or undefined when it may. */
export function entryProblem(
  root: string,
  entry: { path: string; type: string; linkpath?: string },
): string | undefined {
  const name = entry.path;
  if (path.isAbsolute(name) || /^[A-Za-z]:[\\/]/.test(name)) return `absolute path ${name}`;
  if (name.split(/[\\/]+/).includes('..')) return `path ${name} leaves the workspace`;
  const target = path.resolve(root, name);
  if (!isInside(root, target)) return `path ${name} leaves the workspace`;
  if ((entry.type === 'SymbolicLink' || entry.type === 'Link') && entry.linkpath !== undefined) {
    const base = entry.type === 'Link' ? root : path.dirname(target);
    if (path.isAbsolute(entry.linkpath) || !isInside(root, path.resolve(base, entry.linkpath))) {
      return `link ${name} -> ${entry.linkpath} points out of the workspace`;
    }
  }
  return undefined;
}
