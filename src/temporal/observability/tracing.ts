/**
 * OpenTelemetry tracing, off unless configured: one trace from a client's start of a workflow
 * through the workflow and its activities into the driver's HTTP requests to the warehouse.
 * Built on @temporalio/interceptors-opentelemetry (client, workflow and activity spans, the
 * context carried in Temporal headers); the driver adds a span per Thrift call.
 *
 * ```ts
 * const tracing = { spanProcessor: new BatchSpanProcessor(new OTLPTraceExporter()) };
 * const worker = await createSqlWorker({ connection: 'localhost:7233', tracing });
 * const client = new Client({ connection, interceptors: sqlTracingClientInterceptors(tracing) });
 * ```
 */
import { createRequire } from 'node:module';
import { context, propagation, type Tracer } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { Resource } from '@opentelemetry/resources';
import { BasicTracerProvider, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { ClientInterceptors } from '@temporalio/client';
import {
  makeWorkflowExporter,
  OpenTelemetryActivityInboundInterceptor,
  OpenTelemetryActivityOutboundInterceptor,
  OpenTelemetryWorkflowClientInterceptor,
} from '@temporalio/interceptors-opentelemetry';
import type { ActivityInterceptorsFactory, InjectedSinks } from '@temporalio/worker';
import type { OpenTelemetrySinks } from '@temporalio/interceptors-opentelemetry';
import { VERSION } from '../../version.js';

export interface SqlTracingOptions {
  /**
   * Receives every finished span: client, workflow (made in the workflow sandbox, handed over
   * by a sink), activity and HTTP request spans. E.g. a BatchSpanProcessor around an exporter.
   */
  spanProcessor: SpanProcessor;
  /** Resource of the spans. @default service.name 'temporal-dbsql' */
  resource?: Resource;
}

/**
 * The workflow interceptor module. A worker bundles it itself; a prebuilt bundle must include
 * it: `bundleWorkflowCode({ workflowsPath, workflowInterceptorModules: SQL_TRACING_WORKFLOW_MODULES })`.
 */
export const SQL_TRACING_WORKFLOW_MODULES: readonly string[] = [
  createRequire(import.meta.url).resolve('@temporalio/interceptors-opentelemetry/lib/workflow-interceptors'),
];

/** Interceptors for `new Client({ interceptors })`: starting, signalling and querying a workflow are traced. */
export function sqlTracingClientInterceptors(options: SqlTracingOptions): ClientInterceptors {
  return { workflow: [new OpenTelemetryWorkflowClientInterceptor({ tracer: tracerOf(options) })] };
}

/** What `createSqlWorker` adds to its worker when tracing is configured. */
export interface WorkerTracing {
  /** For the driver: its request spans. */
  tracer: Tracer;
  activity: ActivityInterceptorsFactory;
  workflowModules: readonly string[];
  sinks: InjectedSinks<OpenTelemetrySinks>;
}

export function workerTracing(options: SqlTracingOptions): WorkerTracing {
  const tracer = tracerOf(options);
  return {
    tracer,
    activity: (ctx) => ({
      inbound: new OpenTelemetryActivityInboundInterceptor(ctx, { tracer }),
      outbound: new OpenTelemetryActivityOutboundInterceptor(ctx),
    }),
    workflowModules: SQL_TRACING_WORKFLOW_MODULES,
    sinks: { exporter: makeWorkflowExporter(options.spanProcessor, resourceOf(options)) },
  };
}

function resourceOf(options: SqlTracingOptions): Resource {
  return options.resource ?? new Resource({ 'service.name': 'temporal-dbsql' });
}

function tracerOf(options: SqlTracingOptions): Tracer {
  installContextGlobals();
  const provider = new BasicTracerProvider({ resource: resourceOf(options), spanProcessors: [options.spanProcessor] });
  return provider.getTracer('temporal-dbsql', VERSION);
}

/**
 * A span's context reaches its children through OpenTelemetry's global context manager and
 * travels in Temporal headers through its global propagator; both are no-ops until set. Sets
 * them (AsyncLocalStorage, W3C trace context) unless the application already did.
 */
function installContextGlobals(): void {
  const manager = new AsyncLocalStorageContextManager().enable();
  if (!context.setGlobalContextManager(manager)) manager.disable();
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
}
