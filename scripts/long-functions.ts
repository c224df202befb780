/**
 * Functions longer than a screen and files longer than the guide allows (STYLE: < 60 lines a
 * function, <= 400 a file), in source outside ui/, tests and generated code.
 *
 *   npx tsx scripts/long-functions.ts [ROOT] [--lines 60] [--file-lines 400] [--list]
 */
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

const SKIP = new Set(['node_modules', 'dist', 'generated', 'ui', 'test', 'coverage', '.git']);

function sourceFiles(root: string, dir = ''): string[] {
  return fs.readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const rel = path.join(dir, entry.name);
    if (entry.isDirectory())
      return SKIP.has(entry.name) || entry.name.startsWith('.') ? [] : sourceFiles(root, rel);
    return /\.ts$/.test(entry.name) && !/\.(test|d)\.ts$/.test(entry.name) ? [rel] : [];
  });
}

export interface LongFunction {
  file: string;
  line: number;
  name: string;
  lines: number;
}

function nameOf(node: ts.Node, source: ts.SourceFile): string {
  const named = node as { name?: ts.Node };
  if (named.name) return named.name.getText(source);
  const parent = node.parent;
  if (parent && ts.isVariableDeclaration(parent)) return parent.name.getText(source);
  if (parent && ts.isPropertyAssignment(parent)) return parent.name.getText(source);
  return '(anonymous)';
}

/** Every function, method, accessor and arrow of a file with its length in lines. */
export function functionsOf(file: string, text: string): LongFunction[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found: LongFunction[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isFunctionLike(node) && (node as { body?: ts.Node }).body) {
      const start = source.getLineAndCharacterOfPosition(node.getStart(source)).line;
      const end = source.getLineAndCharacterOfPosition(node.getEnd()).line;
      found.push({ file, line: start + 1, name: nameOf(node, source), lines: end - start + 1 });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

export function measure(root: string, maxFunction = 60, maxFile = 400) {
  const files = sourceFiles(root);
  const longFunctions: LongFunction[] = [];
  const longFiles: { file: string; lines: number }[] = [];
  for (const file of files) {
    const text = fs.readFileSync(path.join(root, file), 'utf8');
    const lines = text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
    if (lines > maxFile) longFiles.push({ file, lines });
    longFunctions.push(...functionsOf(file, text).filter((f) => f.lines > maxFunction));
  }
  longFunctions.sort((a, b) => b.lines - a.lines);
  longFiles.sort((a, b) => b.lines - a.lines);
  return { files: files.length, longFunctions, longFiles };
}

if (require.main === module) {
  const args = process.argv.slice(2);
  const option = (name: string, fallback: number) => {
    const at = args.indexOf(name);
    return at >= 0 ? Number(args[at + 1]) : fallback;
  };
  const root = args[0] && !args[0].startsWith('--') ? args[0] : process.cwd();
  const maxFunction = option('--lines', 60);
  const maxFile = option('--file-lines', 400);
  const result = measure(root, maxFunction, maxFile);
  if (args.includes('--list')) {
    for (const f of result.longFunctions) console.log(`${f.lines}\t${f.file}:${f.line} ${f.name}`);
    for (const f of result.longFiles) console.log(`${f.lines}\t${f.file} (file)`);
  }
  console.log(
    `${result.files} source files; ${result.longFunctions.length} functions over ${maxFunction} lines; ` +
      `${result.longFiles.length} files over ${maxFile} lines`,
  );
}
