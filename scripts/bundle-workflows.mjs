// Part of `npm run build`: bundles the compiled workflows once, so workers from dist/ start
// without webpack (see src/temporal/workflow-bundle.ts).
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { DefaultLogger, Runtime, bundleWorkflowCode } from '@temporalio/worker';
import { prebuiltBundlePath } from '../dist/src/temporal/workflow-bundle.js';

Runtime.install({ logger: new DefaultLogger('WARN') });
const workflows = fileURLToPath(new URL('../dist/workflows', import.meta.url));
const { code } = await bundleWorkflowCode({ workflowsPath: `${workflows}/index.js`, logger: new DefaultLogger('WARN') });
await writeFile(prebuiltBundlePath(workflows), code);
