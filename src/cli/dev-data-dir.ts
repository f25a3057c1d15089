/**
 * Where `temporal-dbsql dev` keeps the Temporal dev server's SQLite file (the workflow history)
 * between runs, and the lock file that keeps two `dev` processes off the same file.
 *
 * The default is a per-user data folder (XDG Base Directory's $XDG_DATA_HOME, ~/.local/share
 * when unset; the platform's equivalent on macOS and Windows), not a folder in the current
 * directory: the command is run through npx from anywhere, and one history per user is what a
 * user expects to find again (a `.temporal-dbsql` in each directory would split it and litter
 * checkouts). It is not the cache folder the Temporal CLI is built into: history is data that
 * deleting a cache must not lose.
 */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** Thrown when another live `dev` holds the data folder's lock. */
class DataDirInUseError extends Error {
  override readonly name = 'DataDirInUseError';
  readonly dataDir: string;
  /** Process id of the `dev` holding the lock. */
  readonly pid: number;
  constructor(dataDir: string, pid: number, lockFile: string) {
    super(
      `another "temporal-dbsql dev" (pid ${pid}) is using ${dataDir}: stop it first, or pass --data-dir ` +
        `(if no such process is a temporal-dbsql dev, delete ${lockFile})`,
    );
    this.dataDir = dataDir;
    this.pid = pid;
  }
}

export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (env.XDG_DATA_HOME) return join(env.XDG_DATA_HOME, 'temporal-dbsql');
  if (platform === 'win32' && env.LOCALAPPDATA) return join(env.LOCALAPPDATA, 'temporal-dbsql');
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'temporal-dbsql');
  return join(homedir(), '.local', 'share', 'temporal-dbsql');
}

/** The Temporal dev server's SQLite file in `dataDir`. */
export function historyFile(dataDir: string): string {
  return join(dataDir, 'temporal.sqlite');
}

/** Deletes the history (the SQLite file and its journal files); the next start begins empty. */
export async function deleteHistory(dataDir: string): Promise<void> {
  const file = historyFile(dataDir);
  await Promise.all(['', '-wal', '-shm', '-journal'].map((suffix) => rm(`${file}${suffix}`, { force: true })));
}

/**
 * Creates `dataDir` and takes its lock (a file holding this process id); resolves to the
 * release function. A lock left by a process that no longer runs is taken over.
 */
export async function lockDataDir(dataDir: string): Promise<() => Promise<void>> {
  await mkdir(dataDir, { recursive: true });
  const lockFile = join(dataDir, 'dev.pid');
  const release = async (): Promise<void> => {
    // Only our own lock: never one that a later `dev` took over.
    if ((await readFile(lockFile, 'utf8').catch(() => '')).trim() === String(process.pid)) await rm(lockFile, { force: true });
  };
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      await writeFile(lockFile, `${process.pid}\n`, { flag: 'wx' });
      return release;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = Number((await readFile(lockFile, 'utf8').catch(() => '')).trim());
    if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && isRunning(holder)) {
      throw new DataDirInUseError(dataDir, holder, lockFile);
    }
    await rm(lockFile, { force: true }); // left by a `dev` that was killed
  }
  throw new Error(`could not take the lock ${lockFile}`);
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it runs, as another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
