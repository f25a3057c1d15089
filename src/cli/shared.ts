/** What the CLI commands share: exit codes, usage errors, Temporal settings from the environment. */
import { Client, Connection } from '@temporalio/client';
import { SQL_TASK_QUEUE } from '../../workflows/messages.js';
import { encryptionKeysFromEnvironment, encryptionOption } from '../temporal/codec/index.js';

export const ExitCode = { Ok: 0, Failure: 1, Usage: 2, Canceled: 3, Interrupted: 130 } as const;

/** Thrown when the command line is wrong; the message names the bad argument. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export interface TemporalSettings {
  address: string;
  namespace: string;
  taskQueue: string;
}

export function temporalSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): TemporalSettings {
  return {
    address: env.TEMPORAL_ADDRESS || 'localhost:7233',
    namespace: env.TEMPORAL_NAMESPACE || 'default',
    taskQueue: env.TEMPORAL_TASK_QUEUE || SQL_TASK_QUEUE,
  };
}

/** A Temporal client plus the way to close its connection. */
export async function openClient(settings: TemporalSettings): Promise<{ client: Client; close: () => Promise<void> }> {
  // Payloads are encrypted when TEMPORAL_DBSQL_ENCRYPTION_KEYS is set (the worker needs the same keys).
  const encryption = encryptionOption(encryptionKeysFromEnvironment());
  const connection = await Connection.connect({ address: settings.address, connectTimeout: 10_000 });
  const client = new Client({ connection, namespace: settings.namespace, ...encryption });
  return { client, close: () => connection.close() };
}
