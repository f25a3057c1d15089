/**
 * Staging operations on the local warehouse, as a client drives them: the statement (PUT, GET,
 * REMOVE) answers one row with a presigned URL and headers; the client then transfers the
 * file over real HTTP. Signatures bind one method, one file and an expiry. Then our driver's
 * side: `execute()` moves the file itself, local paths only under `stagingAllowedLocalPath`.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ServerOperationError, StagingOperationError, type Connection } from '../../src/index.js';
import { startLocalWarehouse } from '../../src/warehouse/index.js';
import { connectTo, sqlStateOf, useLocalWarehouse } from '../support/driver-fixtures.js';

interface StagingRow {
  operation: string;
  presignedUrl: string;
  headers: Map<string, string>;
  localFile?: string;
}

/**
 * The warehouse's raw answer (executeAsync: execute() would move the file itself), in the
 * shape the official clients read, the Go and JDBC drivers by position: operation,
 * presignedUrl, headers as a MAP<STRING, STRING>, then localFile for PUT and GET only.
 */
async function staging(connection: Connection, sql: string): Promise<StagingRow> {
  const execution = await connection.executeAsync(sql);
  const result = await execution.getResults();
  const rows = await result.fetchAll();
  await execution.close();
  assert.equal(rows.length, 1);
  const columns = result.columns.map((c) => `${c.name} ${c.typeName}`);
  const expected = ['operation STRING', 'presignedUrl STRING', 'headers MAP<STRING,STRING>', 'localFile STRING'];
  assert.deepEqual(columns, /^\s*REMOVE/i.test(sql) ? expected.slice(0, 3) : expected);
  return rows[0] as unknown as StagingRow;
}

/** What the client does with the row: the HTTP call to the presigned URL with its headers. */
function transfer(row: StagingRow, body?: string, init: { method?: string; headers?: Record<string, string> } = {}) {
  const method = init.method ?? { PUT: 'PUT', GET: 'GET', REMOVE: 'DELETE' }[row.operation]!;
  return fetch(row.presignedUrl, {
    method,
    headers: init.headers ?? Object.fromEntries(row.headers),
    body,
  });
}

describe('staging operations on the local warehouse', () => {
  let volumes = '';
  const local = useLocalWarehouse({
    warehouse: async () => ({ volumesDirectory: (volumes = await mkdtemp(join(tmpdir(), 'volumes-'))) }),
  });
  after(() => rm(volumes, { recursive: true, force: true }));

  it('PUT answers a presigned URL the client uploads to; the file lands in the volume', async () => {
    const row = await staging(local.connection, "PUT '/home/me/orders.csv' INTO '/Volumes/main/default/landing/2024/orders.csv'");
    assert.equal(row.operation, 'PUT');
    assert.equal(row.localFile, '/home/me/orders.csv');
    assert.ok(row.presignedUrl.startsWith(local.warehouse.serverHostname), row.presignedUrl);
    assert.equal((await transfer(row, 'id,amount\n1,9.5\n')).status, 201);
    assert.equal(await readFile(join(volumes, 'main/default/landing/2024/orders.csv'), 'utf8'), 'id,amount\n1,9.5\n');
  });

  it('PUT onto an existing file needs OVERWRITE', async () => {
    const target = "'/Volumes/main/default/landing/once.txt'";
    assert.equal((await transfer(await staging(local.connection, `PUT 'a.txt' INTO ${target}`), 'first')).status, 201);
    assert.equal(await sqlStateOf(staging(local.connection, `PUT 'a.txt' INTO ${target}`)), '42K04');
    assert.equal((await transfer(await staging(local.connection, `PUT 'a.txt' INTO ${target} OVERWRITE`), 'second')).status, 201);
    assert.equal(await readFile(join(volumes, 'main/default/landing/once.txt'), 'utf8'), 'second');
  });

  it('GET answers a URL the client downloads from; REMOVE one it deletes with', async () => {
    const put = await staging(local.connection, "PUT 'r.json' INTO '/Volumes/main/default/landing/report.json'");
    await transfer(put, '{"rows":3}');
    const get = await staging(local.connection, "GET '/Volumes/main/default/landing/report.json' TO '/tmp/report.json'");
    assert.deepEqual([get.operation, get.localFile], ['GET', '/tmp/report.json']);
    const download = await transfer(get);
    assert.deepEqual([download.status, await download.text()], [200, '{"rows":3}']);
    const remove = await staging(local.connection, "REMOVE '/Volumes/main/default/landing/report.json'");
    assert.deepEqual([remove.operation, remove.localFile], ['REMOVE', undefined]);
    assert.equal((await transfer(remove)).status, 204);
    await assert.rejects(stat(join(volumes, 'main/default/landing/report.json')));
    assert.equal(await sqlStateOf(staging(local.connection, "GET '/Volumes/main/default/landing/report.json' TO 'x'")), '42K03');
    assert.equal(await sqlStateOf(staging(local.connection, "REMOVE '/Volumes/main/default/landing/report.json'")), '42K03');
  });

  it('refuses a URL without its signature, with another signature, for another method or another file: 403', async () => {
    const row = await staging(local.connection, "PUT 'x' INTO '/Volumes/main/default/landing/guarded.bin'");
    assert.equal((await transfer(row, 'data', { headers: {} })).status, 403);
    assert.equal((await transfer(row, 'data', { headers: { 'x-volume-signature': 'forged' } })).status, 403);
    assert.equal((await transfer(row, undefined, { method: 'DELETE' })).status, 403);
    const elsewhere = { ...row, presignedUrl: row.presignedUrl.replace('guarded.bin', 'other.bin') };
    assert.equal((await transfer(elsewhere, 'data')).status, 403);
    await assert.rejects(stat(join(volumes, 'main/default/landing/guarded.bin')));
  });

  it('names a path that is not a file in a volume', async () => {
    for (const path of ['/tmp/x', '/Volumes/main/default/x', '/Volumes/main/default/v/../../../etc/passwd']) {
      await assert.rejects(staging(local.connection, `PUT 'x' INTO '${path}'`), (error: Error) => {
        assert.ok(error instanceof ServerOperationError);
        assert.equal(error.sqlState, '42K05');
        assert.match(error.message, /INVALID_VOLUME_PATH/);
        return true;
      });
    }
  });
});

describe('an expired staging URL', () => {
  it('gets 403', async () => {
    const volumes = await mkdtemp(join(tmpdir(), 'volumes-'));
    const warehouse = await startLocalWarehouse({ volumesDirectory: volumes, resultLinkLifetimeMs: 200 });
    const connection = await connectTo(warehouse);
    try {
      const row = await staging(connection, "PUT 'x' INTO '/Volumes/main/default/landing/late.bin'");
      await new Promise((resolve) => setTimeout(resolve, 400));
      assert.equal((await transfer(row, 'too late')).status, 403);
    } finally {
      await connection.close();
      await warehouse.close();
      await rm(volumes, { recursive: true, force: true });
    }
  });
});

describe("our driver's execute() moves the file of a staging statement", () => {
  let volumes = '';
  let root = '';
  let allowed = '';
  const local = useLocalWarehouse({
    warehouse: async () => {
      root = await mkdtemp(join(tmpdir(), 'staging-local-'));
      allowed = join(root, 'exports');
      await mkdir(allowed);
      return { volumesDirectory: (volumes = await mkdtemp(join(tmpdir(), 'volumes-'))) };
    },
  });
  after(async () => {
    await rm(volumes, { recursive: true, force: true });
    await rm(root, { recursive: true, force: true });
  });
  const inVolume = (name: string) => join(volumes, 'main/default/landing', name);

  it('PUT uploads the local file, GET downloads it, REMOVE deletes it; the rows are the staging row', async () => {
    const connection = await connectTo(local.warehouse, { stagingAllowedLocalPath: allowed });
    try {
      await writeFile(join(allowed, 'orders.csv'), 'id,amount\n1,9.5\n');
      const put = await connection.execute(`PUT '${allowed}/orders.csv' INTO '/Volumes/main/default/landing/orders.csv'`);
      assert.deepEqual(
        (await put.fetchAll()).map((r) => [r.operation, r.localFile]),
        [['PUT', `${allowed}/orders.csv`]],
      );
      assert.equal(await readFile(inVolume('orders.csv'), 'utf8'), 'id,amount\n1,9.5\n');

      await (await connection.execute(`GET '/Volumes/main/default/landing/orders.csv' TO '${allowed}/copy.csv'`)).close();
      assert.equal(await readFile(join(allowed, 'copy.csv'), 'utf8'), 'id,amount\n1,9.5\n');

      await (await connection.execute("REMOVE '/Volumes/main/default/landing/orders.csv'")).close();
      await assert.rejects(stat(inVolume('orders.csv')), { code: 'ENOENT' });
    } finally {
      await connection.close();
    }
  });

  it('refuses a local file outside the allowed directories, naming it, before any transfer', async () => {
    const outside = join(root, 'secret.txt');
    await writeFile(outside, 'not for the volume');
    const connection = await connectTo(local.warehouse, { stagingAllowedLocalPath: [allowed] });
    try {
      for (const path of [outside, `${allowed}/../secret.txt`]) {
        await assert.rejects(
          connection.execute(`PUT '${path}' INTO '/Volumes/main/default/landing/leak.txt'`),
          (error: Error) => {
            assert.ok(error instanceof StagingOperationError, String(error));
            assert.equal(error.localFile, path);
            assert.ok(error.message.includes(path) && error.message.includes('stagingAllowedLocalPath'), error.message);
            return true;
          },
        );
      }
      await assert.rejects(stat(inVolume('leak.txt')), { code: 'ENOENT' });
      // A file whose name starts with '..' inside the allowed directory is inside it.
      await writeFile(join(allowed, '..notes.csv'), 'n\n');
      await (await connection.execute(`PUT '${allowed}/..notes.csv' INTO '/Volumes/main/default/landing/notes.csv'`)).close();
      assert.equal(await readFile(inVolume('notes.csv'), 'utf8'), 'n\n');
      // Without the option, nothing local is allowed: a GET is refused, naming the option.
      await mkdir(inVolume(''), { recursive: true });
      await writeFile(inVolume('kept.txt'), 'kept');
      await assert.rejects(
        local.connection.execute(`GET '/Volumes/main/default/landing/kept.txt' TO '${allowed}/kept.txt'`),
        /needs stagingAllowedLocalPath/,
      );
      await assert.rejects(stat(join(allowed, 'kept.txt')), { code: 'ENOENT' });
    } finally {
      await connection.close();
    }
  });

  it("execute()'s option overrides connect()'s; a missing local file is named; a bad option is named", async () => {
    const other = join(root, 'other');
    await mkdir(other);
    await writeFile(join(other, 'a.txt'), 'from other');
    await (
      await local.connection.execute(`PUT '${other}/a.txt' INTO '/Volumes/main/default/landing/a.txt' OVERWRITE`, undefined, {
        stagingAllowedLocalPath: other,
      })
    ).close();
    assert.equal(await readFile(inVolume('a.txt'), 'utf8'), 'from other');
    await assert.rejects(
      local.connection.execute(`PUT '${other}/missing.txt' INTO '/Volumes/main/default/landing/m.txt'`, undefined, {
        stagingAllowedLocalPath: other,
      }),
      (error: Error) => error instanceof StagingOperationError && error.message.includes(`${other}/missing.txt`),
    );
    await assert.rejects(
      local.connection.execute("REMOVE '/Volumes/main/default/landing/a.txt'", undefined, {
        stagingAllowedLocalPath: 42 as never,
      }),
      (error: Error) => error.name === 'InvalidArgumentError' && error.message.includes('stagingAllowedLocalPath'),
    );
  });
});
