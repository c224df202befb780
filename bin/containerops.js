#!/usr/bin/env node
'use strict';
// Plain JS entry: register tsx so the TypeScript CLI runs without a build step.
require('tsx/cjs');
const { main } = require('../cli/main.ts');

// `component publish` and `exec` answer asynchronously (they talk to the API); `validate` at once.
Promise.resolve(
  main(
    process.argv.slice(2),
    {
      out: (line) => process.stdout.write(`${line}\n`),
      err: (line) => process.stderr.write(`${line}\n`),
    },
    process.env,
  ),
).then((code) => {
  process.exitCode = code;
});
