/**
 * `temporal-dbsql demo`: everything in one process, nothing left running afterwards.
 * Temporal dev server (provisioned, UI on) + local warehouse + worker, then one durable
 * query that runs for several seconds, with its progress live, its rows, and the UI link;
 * then a large result streamed to a Parquet sink, and a small pipeline.
 */
import { setMaxListeners } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { SQL_TASK_QUEUE } from '../../workflows/messages.js';
import { startSqlQuery } from '../temporal/client.js';
import { runDemoPipeline } from './pipeline.js';
import { runDemoSink } from './demo-sink.js';
import { LocalStack, StackInterruptedError } from './local-stack.js';
import { ExitCode } from './shared.js';
import { printResult, withLiveProgress } from './progress.js';

/** About 5 s of DuckDB work on 2 cores: 256 million pairs, grouped into 5 rows. */
const DEMO_STATEMENT =
  'SELECT a.id % 5 AS bucket, count(*) AS pairs, sum((a.id * 31 + b.id) % 97) AS checksum ' +
  'FROM RANGE(:n) a CROSS JOIN RANGE(:n) b GROUP BY 1 ORDER BY 1';

const USAGE = `Usage: temporal-dbsql demo [--n N] [--rows N] [--sink-dir DIR] [--keep]

Starts a Temporal dev server (provisioned if needed, Web UI on), a local warehouse and a worker,
runs one durable query with live progress and prints its rows, streams a large result into
Parquet files in a directory sink and reads them back, runs a small pipeline, then stops
everything (with --keep, only at Ctrl-C, so the links it printed keep working).
With TEMPORAL_ADDRESS set, uses that Temporal server instead of starting one.

Options:
  --n N           size of the first query: it pairs RANGE(N) with itself (default 16000, about 5 s)
  --rows N        rows of the large result written to the sink (default 1000000)
  --sink-dir DIR  an empty directory for the Parquet parts, kept afterwards
                  (default: a temporary directory, removed when the demo ends)
  --keep          keep everything running after the demo, until Ctrl-C
                  (for a stack that keeps its history, see: temporal-dbsql dev --help)
`;

export async function runDemoCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      n: { type: 'string', default: '16000' },
      rows: { type: 'string', default: '1000000' },
      'sink-dir': { type: 'string' },
      keep: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return ExitCode.Ok;
  }
  const sinkRows = Number(values.rows);
  if (!Number.isSafeInteger(sinkRows) || sinkRows < 1) {
    process.stderr.write(`demo: --rows must be a positive integer, got "${values.rows}"\n`);
    return ExitCode.Usage;
  }
  const log = (line: string): void => {
    process.stderr.write(`demo: ${line}\n`);
  };
  // The worker's own INFO lines (state changes) would drown the demo's progress.
  // No shutdownSignals: Ctrl-C is ours to handle, in order (the SDK's handler would stop the
  // worker behind our back).
  Runtime.install({ logger: new DefaultLogger('WARN'), shutdownSignals: [] });
  const interrupted = new AbortController();
  // The client adds one listener per call made under withAbortSignal (a status query each 0.5 s).
  setMaxListeners(10_000, interrupted.signal);
  const onSignal = (): void => {
    log('interrupted, stopping everything');
    interrupted.abort();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  let stack: LocalStack | undefined;
  let connection: Connection | undefined;
  const ownSinkDir = values['sink-dir'] === undefined;
  let sinkDir: string | undefined;
  const started = Date.now();
  try {
    // TEMPORAL_ADDRESS: use that server (its UI address is unknown here); else our own dev server.
    const temporalAddress = process.env.TEMPORAL_ADDRESS || undefined;
    log(
      temporalAddress
        ? `using the Temporal server at TEMPORAL_ADDRESS=${temporalAddress}; starting a local warehouse and a worker`
        : 'provisioning and starting the Temporal dev server, a local warehouse and a worker',
    );
    stack = await LocalStack.start({
      temporalAddress,
      devServer: { ui: true },
      // A short direct-results wait so this query is clearly asynchronous (Databricks waits 5 s).
      warehouse: { directResultsWaitMs: 500 },
      namespace: 'default',
      taskQueue: SQL_TASK_QUEUE,
      signal: interrupted.signal,
    });
    const { uiUrl, warehouse } = stack;
    if (uiUrl) log(`Temporal at ${stack.temporalAddress}, Web UI at ${uiUrl}`);
    log(`local warehouse at ${warehouse!.serverHostname}${warehouse!.httpPath}`);
    log(`worker polling task queue "${stack.worker.taskQueue}"`);

    connection = await Connection.connect({ address: stack.temporalAddress });
    const client = new Client({ connection });
    const handle = await startSqlQuery(client, {
      statement: DEMO_STATEMENT,
      params: { n: { type: 'INT', value: Number(values.n) } },
      pollIntervalMs: 1000,
    });
    const workflowUrl = uiUrl && `${uiUrl}/namespaces/default/workflows/${handle.workflowId}`;
    log(`started workflow ${handle.workflowId}: ${DEMO_STATEMENT}`);
    if (workflowUrl) log(`follow it at ${workflowUrl}`);
    // The abort signal cancels the client's pending calls, so none outlives the connection.
    const result = await client.withAbortSignal(interrupted.signal, () =>
      withLiveProgress(client, handle.workflowId, handle.result()),
    );
    printResult(result, false);
    log(
      `done in ${((Date.now() - started) / 1000).toFixed(1)} s: ${result.polls} status polls, ` +
        `query ${result.queryId} (see it in the warehouse history at ${warehouse!.serverHostname}/)`,
    );
    sinkDir = ownSinkDir ? await mkdtemp(join(tmpdir(), 'temporal-dbsql-demo-')) : resolve(values['sink-dir']!);
    await client.withAbortSignal(interrupted.signal, () => runDemoSink(client, sinkRows, sinkDir!, log));
    const pipelineCode = await client.withAbortSignal(interrupted.signal, () => runDemoPipeline(client, log));
    if (pipelineCode !== ExitCode.Ok) return pipelineCode;
    if (values.keep) {
      log('--keep: everything stays up until Ctrl-C');
      if (workflowUrl) log(`  the workflow in the Temporal UI: ${workflowUrl}`);
      log(`  the warehouse's query history: ${warehouse!.serverHostname}/`);
      log(`  the Parquet parts: ${sinkDir}`);
      log(
        `  more queries from another terminal: export TEMPORAL_ADDRESS=${stack.temporalAddress}; npx temporal-dbsql run "SELECT 1" --wait`,
      );
      const stopped = new Promise<void>((resolve) => interrupted.signal.addEventListener('abort', () => resolve()));
      await Promise.race([stopped, stack.failure]);
    }
    return interrupted.signal.aborted ? ExitCode.Interrupted : ExitCode.Ok;
  } catch (error) {
    if (interrupted.signal.aborted || error instanceof StackInterruptedError) return ExitCode.Interrupted;
    throw error;
  } finally {
    // Each step on its own: one failing must not leave the next thing running.
    await quietly(() => connection?.close());
    await stack?.stop();
    if (ownSinkDir && sinkDir) await quietly(() => rm(sinkDir!, { recursive: true, force: true }));
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    if (stack)
      log(
        stack.devServer
          ? 'stopped the worker, the warehouse and the Temporal dev server'
          : 'stopped the worker and the warehouse',
      );
  }
}

async function quietly(step: () => unknown): Promise<void> {
  try {
    await step();
  } catch {
    // Best effort: cleanup goes on with the next step.
  }
}
