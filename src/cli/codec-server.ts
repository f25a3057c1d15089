/** `temporal-dbsql codec-server`: decrypts payloads for the Temporal Web UI and CLI, until Ctrl-C. */
import { parseArgs } from 'node:util';
import {
  AesGcmPayloadCodec,
  ENCRYPTION_KEYS_ENV,
  encryptionKeysFromEnvironment,
  startCodecServer,
} from '../temporal/codec/index.js';
import { ExitCode, UsageError } from './shared.js';

const USAGE = `Usage: temporal-dbsql codec-server [--port N] [--host H] [--origin URL]...

Serves POST /decode and /encode for the Temporal Web UI, which shows encrypted workflow
inputs, results and history to someone holding the key. In the UI: Settings (or the
data-encoder icon) > Codec Server endpoint: the URL printed at start-up.

Options:
  --port N       TCP port (default 8888)
  --host H       interface (default 127.0.0.1: it decrypts for anyone who can reach it)
  --origin URL   browser origin allowed to call it; repeatable
                 (default http://localhost:8233 and http://127.0.0.1:8233, the dev server's UI)

Environment: ${ENCRYPTION_KEYS_ENV}=id=base64key[,id=base64key...], the worker's keys.
`;

export async function runCodecServerCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      origin: { type: 'string', multiple: true },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return ExitCode.Ok;
  }
  const port = values.port === undefined ? 8888 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new UsageError(`--port must be a port number, got "${values.port}"`);
  const keys = encryptionKeysFromEnvironment();
  if (!keys) throw new UsageError(`${ENCRYPTION_KEYS_ENV} is not set: the codec server needs the worker's keys`);
  const server = await startCodecServer({
    codec: new AesGcmPayloadCodec(keys),
    port,
    host: values.host,
    allowedOrigins: values.origin,
  });
  process.stderr.write(
    `codec server on ${server.url} (keys: ${keys.map((k) => k.id).join(', ')}); give the Temporal UI this endpoint. Ctrl-C stops it\n`,
  );
  process.stdout.write(`${server.url}\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  await server.close();
  return ExitCode.Ok;
}
