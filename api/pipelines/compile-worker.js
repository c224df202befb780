'use strict';
// A compiler process of the compile pool (compile-pool.ts): compiles pipeline sources away from
// the API process, so a fatal V8 error or a runaway document kills only this process.
// Plain data in ({ id, args } for compilePipelineSource), plain data out ({ id, result }).
// Plain JavaScript so it starts in any host (tsx, jest, node); it loads the TypeScript through tsx.
require('tsx/cjs/api').register();
const { compilePipelineSource } = require('../../pipeline');

process.on('message', ({ id, args }) => {
  process.send({ id, result: compilePipelineSource(...args) });
});
// the API went away: nothing is left to compile for
process.on('disconnect', () => process.exit(0));
