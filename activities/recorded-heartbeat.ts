/**
 * Heartbeats a checkpoint so that a retry is sure to see it. The SDK throttles heartbeats
 * (one every 0.8 x the heartbeat timeout; those in between only replace a pending one), and
 * a pending heartbeat dies with a killed worker: a retry could then restart parts behind the
 * last finished one. So a checkpoint is also sent straight to the Temporal server, and this
 * resolves only once the server recorded it.
 */
import { Context } from '@temporalio/activity';
import { defaultPayloadConverter } from '@temporalio/common';
import type { NativeConnection } from '@temporalio/worker';

/** The one Temporal call used: a worker's `NativeConnection.workflowService` has it. */
export type HeartbeatService = Pick<NativeConnection['workflowService'], 'recordActivityTaskHeartbeat'>;

export async function recordCheckpoint(details: unknown, service: HeartbeatService | undefined): Promise<void> {
  const ctx = Context.current();
  ctx.heartbeat(details); // keeps the SDK's own (pending) heartbeat no older than this one
  if (!service) return;
  await service.recordActivityTaskHeartbeat({
    namespace: ctx.info.namespace,
    taskToken: ctx.info.taskToken,
    details: { payloads: [defaultPayloadConverter.toPayload(details)] },
  });
}
