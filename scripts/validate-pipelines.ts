import { readFileSync } from 'node:fs';
import { compilePipelineSource } from '../pipeline';

export interface CliIo {
  out: (line: string) => void;
  err: (line: string) => void;
}

/** `containerops validate FILE...`: prints `file:line:col: path: message`; returns the exit code. */
export function validateFiles(files: readonly string[], io: CliIo): number {
  if (files.length === 0) {
    io.err('usage: containerops validate FILE...');
    return 2;
  }
  let failed = false;
  for (const file of files) {
    let source: string;
    try {
      source = readFileSync(file, 'utf8');
    } catch (e) {
      io.err(`${file}: cannot read: ${(e as Error).message}`);
      failed = true;
      continue;
    }
    const result = compilePipelineSource(source);
    if (result.ok) {
      io.out(`${file}: ok`);
      continue;
    }
    failed = true;
    for (const e of result.errors)
      io.err(`${file}:${e.line}:${e.col}: ${e.path ? `${e.path}: ` : ''}${e.message}`);
  }
  return failed ? 1 : 0;
}

export function main(argv: readonly string[], io: CliIo): number {
  const [command, ...rest] = argv;
  if (command === 'validate') return validateFiles(rest, io);
  io.err('usage: containerops validate FILE...');
  return 2;
}

if (require.main === module) {
  process.exitCode = main(process.argv.slice(2), {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
  });
}
