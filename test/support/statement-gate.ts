/**
 * A deterministic slow statement: the local warehouse (`holdStatements`) keeps a statement
 * made by `heldSql` RUNNING until the test calls `release`, whatever this machine's speed.
 */
import type { LocalWarehouseOptions } from '../../src/warehouse/index.js';
import { waitFor } from './wait.js';

/** A statement the gate holds in RUNNING until `release(tag)`; it returns one row `{ tag }`. */
export const heldSql = (tag: string): string => `SELECT '${tag}' AS tag -- held`;

/** Holds statements made by `heldSql` (others run at once) until released by tag. */
export class StatementGate {
  private readonly releases = new Map<string, () => void>();

  /** Pass as the warehouse's `holdStatements` option. */
  readonly hold: NonNullable<LocalWarehouseOptions['holdStatements']> = ({ statement }) =>
    statement.endsWith('-- held') ? new Promise((resolve) => this.releases.set(statement, resolve)) : Promise.resolve();

  /** Lets the held statement `tag` run, once the warehouse holds it. */
  async release(tag: string): Promise<void> {
    const statement = heldSql(tag);
    await waitFor(`'${tag}' to be held`, () => this.releases.has(statement));
    this.releases.get(statement)?.();
  }
}
