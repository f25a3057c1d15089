/**
 * A SQL worker in its own process, so a test can SIGKILL it mid-workflow.
 * Settings come from the environment, as for a real deployment:
 *   TEMPORAL_ADDRESS, TEMPORAL_TASK_QUEUE, WORKFLOW_BUNDLE_PATH, RESULT_DIRECTORY,
 *   DATABRICKS_HOST, DATABRICKS_HTTP_PATH, DATABRICKS_TOKEN (read by the driver's connect()).
 * Writes "ready" on stdout once it polls.
 */
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { createSqlWorker } from '../../src/temporal/worker.js';

Runtime.install({ logger: new DefaultLogger('ERROR') });
const env = process.env;
const worker = await createSqlWorker({
  connection: env.TEMPORAL_ADDRESS ?? 'localhost:7233',
  taskQueue: env.TEMPORAL_TASK_QUEUE,
  workflowBundle: env.WORKFLOW_BUNDLE_PATH ? { codePath: env.WORKFLOW_BUNDLE_PATH } : undefined,
  resultDirectory: env.RESULT_DIRECTORY,
  workerOptions: { stickyQueueScheduleToStartTimeout: '2 seconds' },
});
const running = worker.run();
process.stdout.write('ready\n');
await running;
