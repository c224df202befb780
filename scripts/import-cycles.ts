/**
 * Import circles that span folders (DESIGN.md "Layout": arrows point down). Reads every .ts file's
 * relative imports (type imports too: a type arrow is still an arrow), finds the strongly connected
 * components, and prints those whose files sit in more than one top-level folder.
 *
 *   npx tsx scripts/import-cycles.ts [--depth N]   (N folder levels name a folder; 1 by default)
 */
import fs from 'node:fs';
import path from 'node:path';

const SOURCE_ROOTS = [
  'api',
  'activities',
  'cli',
  'contract',
  'lib',
  'pipeline',
  'services',
  'workers',
  'workflows',
];
const IMPORT = /(?:import|export)\s+(?:type\s+)?(?:[^'"]*?\sfrom\s+)?['"](\.{1,2}\/[^'"]+)['"]/g;

function sourceFiles(root: string, dir: string): string[] {
  const full = path.join(root, dir);
  if (!fs.existsSync(full)) return [];
  return fs.readdirSync(full, { withFileTypes: true }).flatMap((entry) => {
    const rel = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(root, rel);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [rel] : [];
  });
}

function resolve(root: string, from: string, spec: string): string | undefined {
  const base = path.join(path.dirname(from), spec);
  for (const candidate of [base, `${base}.ts`, path.join(base, 'index.ts')]) {
    const full = path.join(root, candidate);
    if (candidate.endsWith('.ts') && fs.existsSync(full) && fs.statSync(full).isFile()) return candidate;
  }
  return undefined;
}

/** File → the files it imports (relative imports inside the source roots only). */
export function importGraph(root: string): Map<string, string[]> {
  const files = SOURCE_ROOTS.flatMap((dir) => sourceFiles(root, dir));
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const text = fs.readFileSync(path.join(root, file), 'utf8');
    const targets = new Set<string>();
    for (const match of text.matchAll(IMPORT)) {
      const target = resolve(root, file, match[1]!);
      if (target) targets.add(target);
    }
    graph.set(file, [...targets]);
  }
  return graph;
}

/** Tarjan's strongly connected components of more than one file. */
export function circles(graph: Map<string, string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  let next = 0;
  const visit = (node: string) => {
    index.set(node, next);
    low.set(node, next++);
    stack.push(node);
    onStack.add(node);
    for (const to of graph.get(node) ?? []) {
      if (!index.has(to)) {
        visit(to);
        low.set(node, Math.min(low.get(node)!, low.get(to)!));
      } else if (onStack.has(to)) low.set(node, Math.min(low.get(node)!, index.get(to)!));
    }
    if (low.get(node) !== index.get(node)) return;
    const component: string[] = [];
    let member: string;
    do {
      member = stack.pop()!;
      onStack.delete(member);
      component.push(member);
    } while (member !== node);
    if (component.length > 1) found.push(component.sort());
  };
  for (const node of graph.keys()) if (!index.has(node)) visit(node);
  return found;
}

const folderOf = (file: string, depth: number) =>
  path.dirname(file).split(path.sep).slice(0, depth).join('/');

/** The circles whose files lie in more than one folder (`depth` path segments name a folder). */
export function crossFolderCircles(root: string, depth = 1): string[][] {
  return circles(importGraph(root)).filter(
    (component) => new Set(component.map((file) => folderOf(file, depth))).size > 1,
  );
}

if (require.main === module) {
  const at = process.argv.indexOf('--depth');
  const depth = at > 0 ? Number(process.argv[at + 1]) : 1;
  const found = crossFolderCircles(process.cwd(), depth);
  for (const component of found) console.log(`circle of ${component.length}: ${component.join(' ')}`);
  console.log(`${found.length} import circle(s) spanning folders (depth ${depth})`);
  process.exitCode = found.length > 0 ? 1 : 0;
}
