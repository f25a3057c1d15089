/**
 * OpenTelemetry spans for the driver's HTTP requests: one CLIENT span per Thrift call, named
 * after the call, a child of whatever span is active (an activity's, when run by a worker).
 * Never records the token, the statement or its parameters: only the call name, the server,
 * the HTTP status, the attempts and a query id the caller put in the context.
 */
import { context, SpanKind, SpanStatusCode, createContextKey, type Span, type Tracer } from '@opentelemetry/api';

/** Attribute naming the statement a span is about (the warehouse's query id, a UUID). */
export const QUERY_ID_ATTRIBUTE = 'databricks.query_id';

const QUERY_ID_KEY = createContextKey('temporal-dbsql query id');

/** Runs `fn` with `queryId` in the context, so the driver's request spans inside it carry it. */
export function withQueryId<T>(queryId: string, fn: () => T): T {
  return context.with(context.active().setValue(QUERY_ID_KEY, queryId), fn);
}

/** Starts the span of one Thrift call; `undefined` (nothing recorded) without a tracer. */
export function startRequestSpan(tracer: Tracer | undefined, method: string, url: URL): Span | undefined {
  if (!tracer) return undefined;
  const queryId = context.active().getValue(QUERY_ID_KEY);
  return tracer.startSpan(method, {
    kind: SpanKind.CLIENT,
    attributes: {
      'rpc.system': 'thrift',
      'rpc.method': method,
      'server.address': url.hostname,
      ...(url.port ? { 'server.port': Number(url.port) } : {}),
      ...(typeof queryId === 'string' ? { [QUERY_ID_ATTRIBUTE]: queryId } : {}),
    },
  });
}

/** Ends a request span with the call's outcome. */
export function endRequestSpan(span: Span | undefined, attempts: number, status: number | undefined, error?: Error): void {
  if (!span) return;
  span.setAttribute('temporal_dbsql.attempts', attempts);
  if (status !== undefined) span.setAttribute('http.response.status_code', status);
  if (error !== undefined) {
    // The error's message is the driver's own, already scrubbed of credentials.
    span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
  }
  span.end();
}
