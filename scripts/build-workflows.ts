import fs from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { workflowBundlerOptions } from '../lib/workflow-bundle';

/** Where `npm run build:workflows` writes the workflow bundle that workers load without webpack. */
export const WORKFLOW_BUNDLE_PATH = path.resolve(__dirname, '../dist/workflow-bundle.js');

/** Bundling takes ~200 MB that a worker would keep for its lifetime: do it once, in its own process. */
export async function buildWorkflowBundle(): Promise<string> {
  const { code } = await bundleWorkflowCode({
    workflowsPath: require.resolve('../workflows'),
    ...workflowBundlerOptions,
  });
  fs.mkdirSync(path.dirname(WORKFLOW_BUNDLE_PATH), { recursive: true });
  fs.writeFileSync(WORKFLOW_BUNDLE_PATH, code);
  return WORKFLOW_BUNDLE_PATH;
}

if (require.main === module) {
  buildWorkflowBundle().then(
    (file) => console.log(`workflow bundle: ${file}`),
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
}
