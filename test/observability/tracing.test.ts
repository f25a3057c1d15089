/**
 * OpenTelemetry tracing on the real dev server and local warehouse: one trace runs from the
 * client's start through the workflow and its activities into the driver's HTTP requests,
 * each span with the right parent, the query id on the activity and request spans, and no
 * token, statement text or parameter value anywhere in the spans.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { SpanKind } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { Client } from '@temporalio/client';
import { startSqlQuery } from '../../src/temporal/client.js';
import {
  SQL_TRACING_WORKFLOW_MODULES,
  sqlTracingClientInterceptors,
  type SqlTracingOptions,
} from '../../src/temporal/observability/tracing.js';
import { QUERY_ID_ATTRIBUTE } from '../../src/transport/request-tracing.js';
import { startTemporalTestEnv, type TemporalTestEnv } from '../support/temporal-env.js';
import { waitFor } from '../support/wait.js';

const HELD = '-- held for the trace test';
const PARAMETER_VALUE = `parameter-${randomUUID()}`;

describe('OpenTelemetry tracing', () => {
  const exporter = new InMemorySpanExporter();
  const tracing: SqlTracingOptions = { spanProcessor: new SimpleSpanProcessor(exporter) };
  let env: TemporalTestEnv;
  let releaseHeld: () => void = () => undefined;
  let held = false;

  before(async () => {
    // The statement stays RUNNING until released, so the workflow polls it by its handle.
    const holdStatements = ({ statement }: { statement: string }) =>
      statement.endsWith(HELD)
        ? new Promise<void>((resolve) => {
            held = true;
            releaseHeld = resolve;
          })
        : Promise.resolve();
    env = await startTemporalTestEnv(
      { directResultsWaitMs: 100, holdStatements },
      { workflowInterceptorModules: SQL_TRACING_WORKFLOW_MODULES },
    );
  });
  after(async () => {
    releaseHeld();
    await env?.close();
  });

  it('links client, workflow, activities and Thrift calls in one trace, with the query id', async () => {
    const client = new Client({ connection: env.client.connection, interceptors: sqlTracingClientInterceptors(tracing) });
    const worker = await env.newWorker(`trace-${randomUUID()}`, { tracing });
    const statement = `SELECT :p AS p ${HELD}`;
    const result = await worker.runUntil(async () => {
      const handle = await startSqlQuery(
        client,
        { statement, params: { p: PARAMETER_VALUE }, pollIntervalMs: 100 },
        { taskQueue: worker.taskQueue },
      );
      await waitFor('the statement to be held', () => held);
      await waitFor('a status poll', () => exporter.getFinishedSpans().some((s) => s.name === 'GetOperationStatus'));
      releaseHeld();
      return handle.result();
    });
    assert.equal(result.state, 'FINISHED');

    // Workflow spans arrive through a sink after the activation that ended them.
    const spans = await waitFor('the workflow span', () => {
      const all = exporter.getFinishedSpans();
      return all.some((s) => s.name === 'RunWorkflow:sqlQueryWorkflow') && all;
    });
    const one = (name: string): ReadableSpan => {
      const found = spans.filter((s) => s.name === name);
      assert.ok(found.length >= 1, `a span ${name}; spans: ${spans.map((s) => s.name).join(', ')}`);
      return found[0]!;
    };
    const parentOf = (span: ReadableSpan): ReadableSpan | undefined =>
      spans.find((s) => s.spanContext().spanId === span.parentSpanId);

    const start = one('StartWorkflow:sqlQueryWorkflow');
    const traceId = start.spanContext().traceId;
    assert.equal(start.parentSpanId, undefined, 'the client start is the root');
    const chain: Array<[child: string, parent: string]> = [
      ['RunWorkflow:sqlQueryWorkflow', 'StartWorkflow:sqlQueryWorkflow'],
      ['StartActivity:submitQuery', 'RunWorkflow:sqlQueryWorkflow'],
      ['RunActivity:submitQuery', 'StartActivity:submitQuery'],
      ['ExecuteStatement', 'RunActivity:submitQuery'],
      ['StartActivity:syncQueryStatus', 'RunWorkflow:sqlQueryWorkflow'],
      ['RunActivity:syncQueryStatus', 'StartActivity:syncQueryStatus'],
      ['GetOperationStatus', 'RunActivity:syncQueryStatus'],
      ['RunActivity:fetchQueryResults', 'StartActivity:fetchQueryResults'],
      ['FetchResults', 'RunActivity:fetchQueryResults'],
      ['CloseOperation', 'RunActivity:closeQuery'],
    ];
    for (const [child, parent] of chain) {
      const span = one(child);
      assert.equal(span.spanContext().traceId, traceId, `${child} is in the client's trace`);
      assert.equal(parentOf(span)?.name, parent, `${child}'s parent`);
    }

    // Thrift calls: CLIENT spans named after the call, the query id where the call is about one.
    const executeStatement = one('ExecuteStatement');
    assert.equal(executeStatement.kind, SpanKind.CLIENT);
    assert.equal(executeStatement.attributes['rpc.method'], 'ExecuteStatement');
    assert.equal(executeStatement.attributes['http.response.status_code'], 200);
    for (const name of ['RunActivity:submitQuery', 'RunActivity:syncQueryStatus', 'GetOperationStatus', 'FetchResults']) {
      assert.equal(one(name).attributes[QUERY_ID_ATTRIBUTE], result.queryId, `${name} carries the query id`);
    }

    // Nothing secret or user-supplied leaks into the spans.
    const text = JSON.stringify(spans.map((s) => [s.name, s.attributes, s.events, s.status]));
    for (const secret of [env.warehouse.accessToken, PARAMETER_VALUE, statement, HELD]) {
      assert.ok(!text.includes(secret), `the spans hold ${JSON.stringify(secret.slice(0, 20))}`);
    }
  });
});
