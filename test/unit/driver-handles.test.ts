import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { bytesToUuid, parseQueryHandle } from '../../src/backend/handle-ids.js';
import { capabilitiesOf } from '../../src/backend/capabilities.js';
import { checkStatus } from '../../src/backend/thrift-backend.js';
import { endpointUrl, optionsFromEnvironment, resolveOptions } from '../../src/client/options.js';
import { AsyncExecutionStatus, statusFromOperationState } from '../../src/client/status.js';
import { InvalidArgumentError, InvalidHandleError, QueryNotFoundError, ServerOperationError } from '../../src/errors.js';
import { TOperationState, TProtocolVersion, TStatus, TStatusCode } from '../../src/thrift/index.js';
import { VERSION } from '../../src/version.js';

const ID = '01ef3c2a-1b2c-4d5e-8f90-123456789abc';
const SECRET = 'a1b2c3d4-e5f6-4789-9abc-def012345678';

describe('query handles', () => {
  it('round-trips ids and secrets between UUID text and 16 bytes, from two arguments or id:secret', () => {
    const parsed = parseQueryHandle(ID, SECRET);
    assert.equal(parsed.guid.length, 16);
    assert.equal(bytesToUuid(parsed.guid), ID);
    assert.equal(bytesToUuid(parsed.secret), SECRET);
    assert.deepEqual(parseQueryHandle(`${ID}:${SECRET}`), parsed);
    assert.equal(parseQueryHandle(ID.toUpperCase(), SECRET).queryId, ID);
  });

  it('names the malformed part', () => {
    const part = (fn: () => unknown): string => {
      try {
        fn();
      } catch (error) {
        assert.ok(error instanceof InvalidHandleError);
        return error.part;
      }
      assert.fail('expected an InvalidHandleError');
    };
    assert.equal(
      part(() => parseQueryHandle('not-a-uuid', SECRET)),
      'queryId',
    );
    assert.equal(
      part(() => parseQueryHandle(ID, 'nope')),
      'querySecret',
    );
    assert.equal(
      part(() => parseQueryHandle(`${ID}:`)),
      'querySecret',
    );
    assert.equal(
      part(() => parseQueryHandle(ID)),
      'serialized',
    );
    assert.equal(
      part(() => parseQueryHandle(`${ID}:${SECRET}:x`)),
      'serialized',
    );
    assert.match(String(tryMessage(() => parseQueryHandle(ID, 'nope'))), /querySecret is not a UUID/);
  });
});

function tryMessage(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return (error as Error).message;
  }
  return undefined;
}

describe('status mapping', () => {
  it('maps every operation state as the reference does', () => {
    const expected: Array<[number, AsyncExecutionStatus]> = [
      [TOperationState.INITIALIZED_STATE, AsyncExecutionStatus.RUNNING],
      [TOperationState.PENDING_STATE, AsyncExecutionStatus.RUNNING],
      [TOperationState.RUNNING_STATE, AsyncExecutionStatus.RUNNING],
      [TOperationState.FINISHED_STATE, AsyncExecutionStatus.FINISHED],
      [TOperationState.CANCELED_STATE, AsyncExecutionStatus.CANCELED],
      [TOperationState.CLOSED_STATE, AsyncExecutionStatus.ABORTED],
      [TOperationState.ERROR_STATE, AsyncExecutionStatus.ABORTED],
      [TOperationState.UKNOWN_STATE, AsyncExecutionStatus.ABORTED],
      [TOperationState.TIMEDOUT_STATE, AsyncExecutionStatus.ABORTED],
    ];
    for (const [state, status] of expected) assert.equal(statusFromOperationState(state), status, `state ${state}`);
  });

  it('turns error statuses into typed errors; INVALID_HANDLE and RESOURCE_DOES_NOT_EXIST into not-found', () => {
    assert.doesNotThrow(() => checkStatus(new TStatus({ statusCode: TStatusCode.SUCCESS_WITH_INFO_STATUS }), 'X', ID));
    assert.throws(
      () =>
        checkStatus(
          new TStatus({ statusCode: TStatusCode.ERROR_STATUS, errorMessage: 'no such table', sqlState: '42P01' }),
          'X',
          ID,
        ),
      (error: unknown) =>
        error instanceof ServerOperationError && error.sqlState === '42P01' && error.message === 'no such table',
    );
    assert.throws(
      () => checkStatus(new TStatus({ statusCode: TStatusCode.INVALID_HANDLE_STATUS, errorMessage: 'gone' }), 'X', ID),
      (error: unknown) => error instanceof QueryNotFoundError && error.queryId === ID,
    );
    assert.throws(
      () =>
        checkStatus(new TStatus({ statusCode: TStatusCode.ERROR_STATUS, errorMessage: 'RESOURCE_DOES_NOT_EXIST: op' }), 'X', ID),
      QueryNotFoundError,
    );
    // Spark's Thrift server, for a handle whose session is gone.
    assert.throws(
      () =>
        checkStatus(
          new TStatus({
            statusCode: TStatusCode.ERROR_STATUS,
            errorMessage: 'Invalid OperationHandle: OperationHandle [opType=EXECUTE_STATEMENT]',
          }),
          'X',
          ID,
        ),
      QueryNotFoundError,
    );
  });
});

describe('protocol capabilities', () => {
  it('uses Arrow from Spark V5, LZ4 from V6, native parameters from V8, nothing for HIVE versions', () => {
    assert.deepEqual(capabilitiesOf(TProtocolVersion.SPARK_CLI_SERVICE_PROTOCOL_V4), {
      spark: true,
      arrowResults: false,
      lz4Compression: false,
      nativeParameters: false,
    });
    assert.deepEqual(capabilitiesOf(TProtocolVersion.SPARK_CLI_SERVICE_PROTOCOL_V6), {
      spark: true,
      arrowResults: true,
      lz4Compression: true,
      nativeParameters: false,
    });
    assert.equal(capabilitiesOf(TProtocolVersion.SPARK_CLI_SERVICE_PROTOCOL_V8).nativeParameters, true);
    assert.deepEqual(capabilitiesOf(TProtocolVersion.HIVE_CLI_SERVICE_PROTOCOL_V10), {
      spark: false,
      arrowResults: false,
      lz4Compression: false,
      nativeParameters: false,
    });
  });
});

describe('connect options', () => {
  it('reads a bare host as https on 443 and keeps a URL scheme and port', () => {
    assert.equal(
      endpointUrl('abc.cloud.databricks.com', '/sql/1.0/warehouses/x').href,
      'https://abc.cloud.databricks.com/sql/1.0/warehouses/x',
    );
    assert.equal(
      endpointUrl('http://127.0.0.1:8765', 'sql/1.0/warehouses/local').href,
      'http://127.0.0.1:8765/sql/1.0/warehouses/local',
    );
    assert.throws(() => endpointUrl('ftp://x', '/p'), /http or https/);
    assert.throws(
      () => endpointUrl('', '/p'),
      (error: unknown) => error instanceof InvalidArgumentError && error.argument === 'serverHostname',
    );
  });

  it('names the missing environment variable', () => {
    assert.throws(
      () => optionsFromEnvironment({ DATABRICKS_HOST: 'h', DATABRICKS_TOKEN: 't' }),
      (error: unknown) => error instanceof InvalidArgumentError && /DATABRICKS_HTTP_PATH is not set/.test(error.message),
    );
    assert.deepEqual(optionsFromEnvironment({ DATABRICKS_HOST: 'h', DATABRICKS_HTTP_PATH: '/p', DATABRICKS_TOKEN: 't' }), {
      serverHostname: 'h',
      httpPath: '/p',
      accessToken: 't',
    });
  });

  it('builds the User-Agent from the package version and the user entry', () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    assert.equal(VERSION, pkg.version);
    const resolved = resolveOptions({ serverHostname: 'h', httpPath: '/p', accessToken: 't', userAgentEntry: 'my-app/2' });
    assert.equal(resolved.userAgent, `temporal-dbsql/${VERSION} (my-app/2)`);
    assert.throws(
      () => resolveOptions({ serverHostname: 'h', httpPath: '/p', accessToken: 't', auth: { username: 'u', password: 'p' } }),
      /give one of accessToken, auth and oauth, not accessToken and auth/,
    );
  });

  it('asks for LZ4 except from a loopback server, unless results.lz4 says otherwise', () => {
    const lz4 = (serverHostname: string, results?: { lz4?: unknown }) =>
      resolveOptions({ serverHostname, httpPath: '/p', accessToken: 't', results: results as { lz4?: boolean } }).results.lz4;
    assert.equal(lz4('adb-1.azuredatabricks.net'), true);
    for (const host of ['localhost', 'http://127.0.0.1:8080', 'https://[::1]:4443']) assert.equal(lz4(host), false, host);
    assert.equal(lz4('localhost', { lz4: true }), true);
    assert.equal(lz4('adb-1.azuredatabricks.net', { lz4: false }), false);
    assert.throws(() => lz4('h', { lz4: 'yes' }), /results.lz4 must be true or false, got "yes"/);
  });
});
