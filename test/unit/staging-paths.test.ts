/** stagingAllowedLocalPath's check: a local file inside an allowed directory, by path segments. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isInsideDirectory } from '../../src/client/staging-transfer.js';

describe('isInsideDirectory', () => {
  it('takes files in the directory and below it, including names that start with ..', () => {
    for (const file of ['/data/in/a.csv', '/data/in/sub/b.csv', '/data/in/..x', '/data/in/...', '/data/in/sub/..hidden/c']) {
      assert.equal(isInsideDirectory('/data/in', file), true, file);
    }
  });

  it('refuses the directory itself, its parent, a sibling with a common prefix and other roots', () => {
    for (const file of ['/data/in', '/data', '/data/input/a.csv', '/data/x.csv', '/etc/passwd']) {
      assert.equal(isInsideDirectory('/data/in', file), false, file);
    }
  });
});
