import { readFileSync } from 'node:fs';
import { compileOther, nodeOf, runNodeScript } from '../test/unit/pipeline/formats/run-script';
const plan = compileOther(readFileSync(process.argv[2]!, 'utf8'), { fileName: process.argv[3] });
const node = nodeOf(plan, process.argv[4]!);
console.log(node.exprEnv, node.env, node.if, node.matrix);
const r = runNodeScript(node, { matrix: { combination: 'experimental=true,node=20,os=ubuntu-latest' }, params: { greeting: 'hi', verbose: 'true', LEVEL: '' }, steps: { build: { status: 'succeeded', outputs: { version: '1.2.3' } } } }, { API_TOKEN: 'x' });
console.log(r.status, r.stdout, r.outputs);
