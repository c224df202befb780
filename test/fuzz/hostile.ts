import http from 'node:http';
import fc from 'fast-check';

/** Hostile shapes the fuzz sends on every route (issue 22): nesting, numbers, headers, size. */

export interface Body {
  type: string;
  data: string | Uint8Array;
}

const repeat = (unit: string, times: number) => unit.repeat(times);

/** Deeply nested documents: YAML flow, YAML block (compact and indented), JSON. */
export const deepBody: fc.Arbitrary<Body> = fc.oneof(
  fc.integer({ min: 60, max: 100_000 }).map((d) => ({
    type: 'application/yaml',
    data: `${repeat('[', d)}${repeat(']', d)}`,
  })),
  fc.integer({ min: 60, max: 10_000 }).map((d) => ({
    type: 'application/yaml',
    data: `${repeat('{"a":', d)}1${repeat('}', d)}`,
  })),
  fc
    .integer({ min: 60, max: 50_000 })
    .map((d) => ({ type: 'application/yaml', data: `${repeat('- ', d)}x\n` })),
  fc.integer({ min: 60, max: 1_200 }).map((d) => ({
    type: 'application/yaml',
    data: `${Array.from({ length: d }, (_, i) => `${' '.repeat(i)}a:`).join('\n')} 1\n`,
  })),
  fc.integer({ min: 60, max: 50_000 }).map((d) => ({
    type: 'application/json',
    data: `${repeat('[', d)}${repeat(']', d)}`,
  })),
  fc.integer({ min: 60, max: 10_000 }).map((d) => ({
    type: 'application/json',
    data: JSON.stringify({ source: `${repeat('[', d)}${repeat(']', d)}` }),
  })),
  fc.integer({ min: 60, max: 10_000 }).map((d) => ({
    type: 'application/json',
    data: `{"name":"x","inputs":${repeat('{"a":', d)}1${repeat('}', d)}}`,
  })),
);

/** The deepest of each shape, sent to every route that reads a body. */
export const DEEPEST: Array<[string, Body]> = [
  [
    'YAML flow lists 100,000 deep',
    { type: 'application/yaml', data: `${repeat('[', 100_000)}${repeat(']', 100_000)}` },
  ],
  [
    'JSON maps 10,000 deep as YAML',
    { type: 'application/yaml', data: `${repeat('{"a":', 10_000)}1${repeat('}', 10_000)}` },
  ],
  ['YAML block lists 50,000 deep', { type: 'application/yaml', data: `${repeat('- ', 50_000)}x\n` }],
  ['JSON array 5,000 deep', { type: 'application/json', data: `${repeat('[', 5_000)}${repeat(']', 5_000)}` }],
  [
    'YAML source 20,000 deep in a JSON body',
    {
      type: 'application/json',
      data: JSON.stringify({ source: `${repeat('[', 20_000)}${repeat(']', 20_000)}` }),
    },
  ],
];

/** Bodies near and past the 1 MiB limit. */
export const bigBody: fc.Arbitrary<Body> = fc
  .tuple(
    fc.constantFrom(1_000_000, 1_048_576, 1_100_000),
    fc.constantFrom('application/json', 'application/yaml'),
  )
  .map(([size, type]) => ({
    type,
    data:
      type === 'application/json' ? `{"source":"${'a'.repeat(size - 14)}"}` : `name: ${'a'.repeat(size - 6)}`,
  }));

/** What numeric query parameters are sent: huge, negative, not a number, hexadecimal. */
export const oddNumber = fc.constantFrom(
  '1e20',
  '2147483648',
  '9007199254740993',
  '-1',
  '0',
  'NaN',
  'Infinity',
  '0x10',
  '1.5',
  '',
  ' 1',
);

export const oddExpect = fc.constantFrom('weird', '100-continue', '', '200-ok', '100-continue, x');

/** Authorization written the ways a limiter keyed on the raw header would count apart. */
export const oddAuthorization = (token: string) =>
  fc.constantFrom(
    `Bearer  ${token}`,
    `bearer ${token}`,
    `BEARER ${token}`,
    `Bearer ${token} `,
    `Bearer\t${token}`,
    'Bearer',
    'Bearer ',
    `Basic ${Buffer.from(`x:${token}`).toString('base64')}`,
    `Token ${token}`,
  );

export interface Answer {
  status: number;
  type: string;
  text: string;
}

/**
 * One request over node:http (fetch refuses `Expect:` and some header forms). Resolves with the
 * answer, or rejects when none comes within `timeoutMs` (a hang). An event stream is answered
 * once its headers arrive.
 */
export function send(
  url: string,
  opts: { method: string; headers: Record<string, string>; body?: string | Uint8Array; timeoutMs: number },
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: opts.method, headers: opts.headers }, (res) => {
      const type = res.headers['content-type'] ?? '';
      if (type.startsWith('text/event-stream')) {
        res.destroy();
        resolve({ status: res.statusCode ?? 0, type, text: '' });
        return;
      }
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, type, text: Buffer.concat(chunks).toString('utf8') }),
      );
      res.on('error', reject);
    });
    req.setTimeout(opts.timeoutMs, () => req.destroy(new Error('hang: no answer in time')));
    req.on('error', reject);
    // a 417 or an early error answer may come before the body is sent: that is an answer too
    req.end(opts.body === undefined ? undefined : Buffer.from(opts.body));
  });
}
