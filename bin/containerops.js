#!/usr/bin/env node
'use strict';
// Plain JS entry: register tsx so the TypeScript CLI runs without a build step.
require('tsx/cjs');
const { main } = require('../scripts/validate-pipelines.ts');

process.exitCode = main(process.argv.slice(2), {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
});
