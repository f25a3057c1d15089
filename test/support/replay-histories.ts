/**
 * Replay of recorded workflow histories against the current workflow code: a change that is
 * not deterministic for workflows already running (a new activity, a reordered call, a
 * removed timer) fails here. Needs no server: replay runs the code against the recorded events.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import proto from '@temporalio/proto';
import { Worker, type WorkflowBundle } from '@temporalio/worker';
import { bundleSqlWorkflows } from './workflow-bundle.js';

type IHistory = proto.temporal.api.history.v1.IHistory;
const { History } = proto.temporal.api.history.v1;

export interface RecordedHistories {
  /** The folder of `*.json` histories. */
  directory: URL;
  /** Every file the folder must hold, sorted: a lost recording fails too. */
  files: string[];
  /** Checks that `history` is a real recording of its kind, and gives the workflow id to replay it under. */
  workflowId: (history: IHistory, file: string) => string;
}

/** One test that the folder holds `files`, and one replay test per file. */
export function describeReplay(title: string, recorded: RecordedHistories): void {
  const directory = fileURLToPath(recorded.directory);
  describe(title, async () => {
    const files = (await readdir(directory)).filter((f) => f.endsWith('.json')).sort();
    let bundle: WorkflowBundle;
    before(async () => {
      bundle = await bundleSqlWorkflows();
    });

    it('has the recorded scenarios', () => {
      assert.deepEqual(files, recorded.files);
    });

    for (const file of files) {
      it(`replays ${file} deterministically`, async () => {
        const json = JSON.parse(await readFile(`${directory}${file}`, 'utf8')) as Record<string, unknown>;
        const history = History.fromObject(json);
        await Worker.runReplayHistory({ workflowBundle: bundle }, history, recorded.workflowId(history, file));
      });
    }
  });
}
