/**
 * The SQL workflows bundled once for a test file, and the logger that keeps the bundler quiet
 * (its errors still reach stderr).
 */
import { bundleWorkflowCode, type WorkflowBundle } from '@temporalio/worker';
import { sqlWorkflowsPath } from '../../src/temporal/worker.js';

/** Bundles sqlWorkflowsPath(), with `workflowInterceptorModules` (tracing) when given. */
export function bundleSqlWorkflows(workflowInterceptorModules?: readonly string[]): Promise<WorkflowBundle> {
  return bundleWorkflowCode({
    workflowsPath: sqlWorkflowsPath(),
    workflowInterceptorModules: workflowInterceptorModules && [...workflowInterceptorModules],
    logger: quietLogger,
  });
}

const quietLogger = {
  log: () => undefined,
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: (message: string) => {
    process.stderr.write(`${message}\n`);
  },
};
