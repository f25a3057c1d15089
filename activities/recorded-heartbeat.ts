/**
 * Heartbeats a checkpoint so that a retry is sure to see it. The SDK throttles heartbeats
 * (one every 0.8 x the heartbeat timeout; those in between only replace a pending one), and
 * a pending heartbeat dies with a killed worker: a retry could then restart parts behind the
 * last finished one. So a checkpoint is also sent straight to the Temporal server, and this
 * resolves only once the server recorded it.
 *
 * The direct call bypasses the SDK's payload encoding, so it encodes the details itself with
 * the worker's data converter (payload codecs included): an encrypting worker's checkpoints
 * reach history encrypted, as its SDK heartbeats do.
 */
import { Context } from '@temporalio/activity';
import type { DataConverter, LoadedDataConverter } from '@temporalio/common';
// The SDK's own encoding path (payload converter, then each codec in order); not re-exported elsewhere.
import { encodeToPayloads, loadDataConverter } from '@temporalio/common/lib/internal-non-workflow/index.js';
import type { NativeConnection } from '@temporalio/worker';

/** The one Temporal call used: a worker's `NativeConnection.workflowService` has it. */
export type HeartbeatService = Pick<NativeConnection['workflowService'], 'recordActivityTaskHeartbeat'>;

/** The worker's data converter, loaded once (default: Temporal's, no codecs). */
export function checkpointConverter(dataConverter?: DataConverter): LoadedDataConverter {
  return loadDataConverter(dataConverter);
}

export async function recordCheckpoint(
  details: unknown,
  service: HeartbeatService | undefined,
  converter: LoadedDataConverter,
): Promise<void> {
  const ctx = Context.current();
  ctx.heartbeat(details); // keeps the SDK's own (pending) heartbeat no older than this one
  if (!service) return;
  await service.recordActivityTaskHeartbeat({
    namespace: ctx.info.namespace,
    taskToken: ctx.info.taskToken,
    details: { payloads: (await encodeToPayloads(converter, details)) ?? [] },
  });
}
