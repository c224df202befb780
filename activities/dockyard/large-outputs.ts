import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { findOutputRefs, formatOutputRef, outputName, parseOutputRef } from '../../contract/output-refs';
import type { DockyardClient } from './client';

/** Values above this are stored in dockyard and travel as a reference (claim check). */
export const INLINE_OUTPUT_BYTES = 64 * 1024;
export const MAX_OUTPUT_VALUE_BYTES = 100 * 1024 * 1024;
/** Linux refuses a single environment string over 128 KiB (MAX_ARG_STRLEN); stay well below. */
const MAX_ENV_VALUE_BYTES = 96 * 1024;

export class OutputTooLarge extends Error {}

/** What stays inline: each value and all together up to `inline` bytes; values up to `keep` bytes stay. */
export interface InlineLimits {
  inline: number;
  keep: number;
}

/**
 * Replaces every output value over 64 KiB by a reference to its stored copy, then the largest of
 * the rest while all of them together still pass 64 KiB (the limit on what a payload carries).
 * A pod's uploader passes smaller limits: its termination message holds 4 KiB.
 */
export async function offloadLargeOutputs(
  client: DockyardClient,
  outputs: Record<string, string>,
  facts: { runId: string; step: string; matrix: string; attempt: number },
  limits: InlineLimits = { inline: INLINE_OUTPUT_BYTES, keep: 1024 },
): Promise<Record<string, string>> {
  const result: Record<string, string> = { ...outputs };
  const offload = async (key: string) => {
    const value = outputs[key]!;
    const size = Buffer.byteLength(value);
    if (size > MAX_OUTPUT_VALUE_BYTES) {
      throw new OutputTooLarge(`output ${key} is ${size} bytes; the limit is ${MAX_OUTPUT_VALUE_BYTES}`);
    }
    const name = outputName(facts.step, key, facts.matrix);
    const stored = await client.putOutput(facts.runId, name, value, facts);
    result[key] = formatOutputRef({ runId: facts.runId, name, size: stored.size, digest: stored.digest });
  };
  const bySize = Object.keys(outputs).sort(
    (a, b) => Buffer.byteLength(outputs[b]!) - Buffer.byteLength(outputs[a]!),
  );
  for (const key of bySize) {
    const tooBig = Buffer.byteLength(outputs[key]!) > limits.inline;
    const overTotal = Buffer.byteLength(JSON.stringify(result)) > limits.inline;
    if (tooBig || (overTotal && Buffer.byteLength(outputs[key]!) > limits.keep)) await offload(key);
  }
  return result;
}

/** Downloads a referenced value into `dir` as `<hex of its digest>` (verifying the digest) and returns the file. */
export async function fetchToFile(client: DockyardClient, ref: string, dir: string): Promise<string> {
  const parsed = parseOutputRef(ref)!;
  await fs.promises.mkdir(dir, { recursive: true });
  const file = path.join(dir, parsed.digest.slice(7));
  if (fs.existsSync(file)) return file;
  const hash = crypto.createHash('sha256');
  const tmp = `${file}.${process.pid}.part`;
  await pipeline(
    await client.getOutput(parsed.runId, parsed.name),
    async function* (source) {
      for await (const chunk of source) {
        hash.update(chunk as Buffer);
        yield chunk;
      }
    },
    fs.createWriteStream(tmp),
  );
  if (`sha256:${hash.digest('hex')}` !== parsed.digest) {
    await fs.promises.rm(tmp, { force: true });
    throw new Error(`output ${parsed.name} does not match its digest ${parsed.digest}`);
  }
  await fs.promises.rename(tmp, file);
  return file;
}

export interface ResolvedValues {
  env: Record<string, string>;
  data: Record<string, string>;
  /** shell lines that set variables too large for the environment from their files (run: scripts) */
  preamble: string[];
  /** references left for the step's side to fetch into `deferTo` (a pod's init container) */
  deferred: string[];
}

/**
 * Gives a step the full values of the references in its env and `with:`. A value that fits the
 * environment is inlined; a larger one that is a whole env value is delivered as a file named by
 * `<NAME>_FILE` and, for `run:` scripts, read into the shell variable `<NAME>` before the script.
 */
export async function resolveOutputRefs(
  client: DockyardClient,
  env: Record<string, string>,
  data: Record<string, string>,
  dir: string,
  /** where the step itself finds the files, when it fetches them (a pod); the worker then does not */
  deferTo?: string,
): Promise<ResolvedValues> {
  const resolved: ResolvedValues = { env: { ...env }, data: { ...data }, preamble: [], deferred: [] };
  const inline = async (value: string, where: string): Promise<string> => {
    let out = value;
    for (const ref of findOutputRefs(value)) {
      const file = await fetchToFile(client, ref, dir);
      const size = (await fs.promises.stat(file)).size;
      if (Buffer.byteLength(out) - ref.length + size > MAX_ENV_VALUE_BYTES) {
        throw new OutputTooLarge(
          `${where} would be ${size} bytes with the output it references; only a whole env value may be that large`,
        );
      }
      out = out.replace(ref, await fs.promises.readFile(file, 'utf8'));
    }
    return out;
  };
  for (const [name, value] of Object.entries(env)) {
    const ref = parseOutputRef(value);
    if (ref && ref.size > MAX_ENV_VALUE_BYTES) {
      let file: string;
      if (deferTo) {
        file = `${deferTo}/${ref.digest.slice(7)}`;
        resolved.deferred.push(value);
      } else {
        file = await fetchToFile(client, value, dir);
      }
      delete resolved.env[name];
      resolved.env[`${name}_FILE`] = file;
      if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
        // $(...) drops trailing newlines; the sentinel keeps them
        resolved.preamble.push(`${name}=$(cat "$${name}_FILE"; printf x); ${name}=\${${name}%x}`);
      }
    } else if (findOutputRefs(value).length) {
      resolved.env[name] = await inline(value, `env ${name}`);
    }
  }
  for (const [key, value] of Object.entries(data)) {
    if (findOutputRefs(value).length) resolved.data[key] = await inline(value, `with.${key}`);
  }
  return resolved;
}
