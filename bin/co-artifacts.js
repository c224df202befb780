#!/usr/bin/env node
'use strict';
// What a step pod's artifact containers run (the platform's image): fetch artifacts.in, upload artifacts.out.
require('tsx/cjs');
const { main } = require('../activities/dockyard/pod-tool.ts');

main(process.argv.slice(2), process.env, { out: (line) => process.stdout.write(`${line}\n`) }).then(
  (code) => {
    process.exitCode = code;
  },
);
