import { main as logs } from './logs';
import { main as steps } from './steps';
import { main as matrix } from './matrix';
import { main as dockyard } from './dockyard';
import { main as compile } from './compile';
import { main as cache } from './cache';
import { main as containers } from './containers';
import { main as api } from './api';

/** `npm run bench`: every benchmark, one JSON line per figure. `npm run bench -- steps` runs one. */
const all: Record<string, () => Promise<void>> = {
  steps,
  logs,
  matrix,
  dockyard,
  compile,
  cache,
  containers,
  api,
};

async function run(): Promise<void> {
  const only = process.argv.slice(2);
  for (const [name, bench] of Object.entries(all))
    if (only.length === 0 || only.includes(name)) await bench();
  process.exit(0);
}

run().catch((err) => {
  console.error(err);
  process.exit(1);
});
