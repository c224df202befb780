import { readFileSync } from 'node:fs';
import { compilePipelineSource, type PipelineError } from '../pipeline';
import { COMPONENT_USAGE, componentCommand } from './component';
import { EXEC_USAGE, execCommand } from './exec';

export interface CliIo {
  out: (line: string) => void;
  err: (line: string) => void;
}

export const USAGE = [
  'usage: containerops <command> [arguments]',
  '',
  'commands:',
  '  validate FILE...   check pipelines, ContainerOps flows, GitHub workflows and GitLab CI files;',
  '                     prints file:line:col for each error and warning; exits 0 when only',
  '                     warnings remain',
  ...EXEC_USAGE,
  ...COMPONENT_USAGE,
  '  help               print this help',
];

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
    const result = compilePipelineSource(source, undefined, {}, { fileName: file });
    const located = (e: PipelineError, kind = '') =>
      `${file}:${e.line}:${e.col}: ${kind}${e.path ? `${e.path}: ` : ''}${e.message}`;
    for (const w of result.warnings) io.err(located(w, 'warning: '));
    if (result.ok) {
      const count = result.warnings.length;
      io.out(count === 0 ? `${file}: ok` : `${file}: ok (${count} warning${count === 1 ? '' : 's'})`);
      continue;
    }
    failed = true;
    for (const e of result.errors) io.err(located(e));
  }
  return failed ? 1 : 0;
}

/** Exit code of a command; `component` talks to the API, so it answers asynchronously. */
export function main(argv: readonly string[], io: CliIo, env?: NodeJS.ProcessEnv): number | Promise<number> {
  const [command, ...rest] = argv;
  if (command === 'validate') return validateFiles(rest, io);
  if (command === 'component') return componentCommand(rest, io, env);
  if (command === 'exec') return execCommand(rest, io, env);
  if (command === 'help' || command === '--help' || command === '-h') {
    USAGE.forEach((line) => io.out(line));
    return 0;
  }
  if (command !== undefined) io.err(`containerops: unknown command ${JSON.stringify(command)}`);
  USAGE.forEach((line) => io.err(line));
  return 2;
}

if (require.main === module) {
  void Promise.resolve(
    main(
      process.argv.slice(2),
      {
        out: (line) => process.stdout.write(`${line}\n`),
        err: (line) => process.stderr.write(`${line}\n`),
      },
      process.env,
    ),
  ).then((code) => (process.exitCode = code));
}
