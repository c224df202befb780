import fs from 'node:fs';
import { OUTPUTS_MARKER } from '../runtimes/kubernetes/artifact-containers';
import { parseOutputsFile } from '../runtimes/outputs';
import type { DockyardClient } from './client';
import { MAX_OUTPUT_VALUE_BYTES, offloadLargeOutputs, OutputTooLarge } from './large-outputs';

/**
 * A step pod's outputs beyond its termination message: the uploader reads the step's outputs file
 * (CO_OUTPUTS in the handoff volume), stores the values a 4 KiB termination message cannot carry
 * in dockyard, as the local runtime does beyond 64 KiB, and reports the rest with references in
 * their place. The worker reads them from the uploader's termination message, after OUTPUTS_MARKER.
 */
/** What the outputs take of the uploader's 4 KiB termination message; its report lines get the rest. */
export const POD_INLINE_OUTPUT_BYTES = 2048;
const TERMINATION_MESSAGE_BYTES = 4096;

/** Outputs as an outputs file again: `key=value`, or a heredoc for values with line breaks. */
export function formatOutputsFile(outputs: Record<string, string>): string {
  return Object.entries(outputs)
    .map(([key, value]) => {
      if (!value.includes('\n') && !value.includes('\r')) return `${key}=${value}\n`;
      let delimiter = 'CO_EOF';
      while (value.split('\n').includes(delimiter)) delimiter += '_';
      return `${key}<<${delimiter}\n${value}\n${delimiter}\n`;
    })
    .join('');
}

/** Reads the outputs file, stores what is too large for the message; returns the outputs text to report. */
export async function storePodOutputs(
  client: DockyardClient,
  file: string,
  facts: { runId: string; step: string; matrix: string; attempt: number },
): Promise<string> {
  const size = await fs.promises.stat(file).then(
    (s) => s.size,
    () => 0,
  );
  if (size === 0) return '';
  // the largest single value allowed, with room for its key and delimiters
  if (size > MAX_OUTPUT_VALUE_BYTES + 64 * 1024)
    throw new OutputTooLarge(`the outputs file is ${size} bytes; the limit is ${MAX_OUTPUT_VALUE_BYTES}`);
  const outputs = parseOutputsFile(await fs.promises.readFile(file, 'utf8'));
  const stored = await offloadLargeOutputs(client, outputs, facts, {
    inline: POD_INLINE_OUTPUT_BYTES,
    keep: 128,
  });
  const text = formatOutputsFile(stored);
  if (Buffer.byteLength(text) > POD_INLINE_OUTPUT_BYTES)
    throw new OutputTooLarge(
      `${Object.keys(outputs).length} outputs take ${Buffer.byteLength(text)} bytes even as references; ` +
        `a pod reports at most ${POD_INLINE_OUTPUT_BYTES}`,
    );
  return text;
}

/** The uploader's termination message: its last report lines that fit, then the outputs. */
export function uploaderMessage(lines: string[], outputs: string | undefined): string {
  const tail = outputs === undefined ? '' : `${OUTPUTS_MARKER}\n${outputs}`;
  const kept: string[] = [];
  let room = TERMINATION_MESSAGE_BYTES - Buffer.byteLength(tail) - 1;
  for (const line of [...lines].reverse()) {
    room -= Buffer.byteLength(line) + 1;
    if (room < 0) break;
    kept.unshift(line);
  }
  return `${kept.map((l) => `${l}\n`).join('')}${tail}`;
}
