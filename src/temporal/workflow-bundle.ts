/**
 * The workflow bundle `npm run build` writes beside the compiled workflows
 * (scripts/bundle-workflows.mjs). A worker that bundles at start runs webpack in its own
 * process: ~8 s, and ~70 MB of RSS it keeps. The file name carries the Temporal SDK version
 * it was built with, so a worker on another version bundles for itself instead.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const SDK_VERSION = (createRequire(import.meta.url)('@temporalio/workflow/package.json') as { version: string }).version;

/**
 * Where the prebuilt bundle of the workflows in `workflowsDirectory` lives, for this SDK version.
 * @public scripts/bundle-workflows.mjs imports it from dist/, where knip does not look.
 */
export function prebuiltBundlePath(workflowsDirectory: string): string {
  return `${workflowsDirectory}/workflow-bundle-${SDK_VERSION}.js`;
}

/** The prebuilt bundle's path when this is the compiled package and it was built for this SDK. */
export function prebuiltWorkflowBundle(): string | undefined {
  const path = prebuiltBundlePath(fileURLToPath(new URL('../../workflows', import.meta.url)));
  return existsSync(path) ? path : undefined;
}
