/**
 * Rows and bytes a running fetch has written to its result sink, read from the heartbeat of
 * the workflow's pending fetchQueryResults activity (Temporal's describe call).
 */
import type { Client } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';

export interface SinkWriteProgress {
  rowsWritten: number;
  bytesWritten: number;
  parts: number;
}

export async function getSinkProgress(client: Client, workflowId: string): Promise<SinkWriteProgress | undefined> {
  const { raw } = await client.workflow.getHandle(workflowId).describe();
  const fetch = raw.pendingActivities?.find((a) => a.activityType?.name === 'fetchQueryResults');
  const payload = fetch?.heartbeatDetails?.payloads?.[0];
  if (!payload) return undefined;
  const details =
    defaultPayloadConverter.fromPayload<Partial<{ rowsWritten: number; bytesWritten: number; parts: unknown[] }>>(payload);
  if (typeof details.rowsWritten !== 'number' || typeof details.bytesWritten !== 'number') return undefined;
  return { rowsWritten: details.rowsWritten, bytesWritten: details.bytesWritten, parts: details.parts?.length ?? 0 };
}

/** ', 1,200,000 rows / 48.2 MB written (12 parts)', or '' without progress. */
export function describeSinkProgress(progress: SinkWriteProgress | undefined): string {
  if (!progress) return '';
  const mb = (progress.bytesWritten / 1e6).toFixed(1);
  const parts = `${progress.parts} part${progress.parts === 1 ? '' : 's'} done`;
  return `, ${progress.rowsWritten.toLocaleString('en-US')} rows / ${mb} MB written (${parts})`;
}
