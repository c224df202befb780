import { readFileSync } from 'node:fs';
import { compilePipelineSource } from '../pipeline';
const r = compilePipelineSource(readFileSync(process.argv[2]!, 'utf8'), undefined, {}, { fileName: process.argv[3] });
console.log(JSON.stringify(r, null, 1).slice(0, Number(process.argv[4] ?? 20000)));
