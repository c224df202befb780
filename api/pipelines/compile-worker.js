'use strict';
// A worker thread of the compile pool (compile-pool.ts): compiles pipeline sources off the API's
// event loop. Plain data in ({ id, args } for compilePipelineSource), plain data out ({ id, result }).
// Plain JavaScript so it starts in any host (tsx, jest, node); it loads the TypeScript through tsx.
const { parentPort } = require('node:worker_threads');
require('tsx/cjs/api').register();
const { compilePipelineSource } = require('../../pipeline');

parentPort.on('message', ({ id, args }) => {
  parentPort.postMessage({ id, result: compilePipelineSource(...args) });
});
