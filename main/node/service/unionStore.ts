/**
 * The saved unions: `$XDG_CONFIG_HOME/strata/unions.json` (default ~/.config/strata). Writes are atomic
 * (temp file, fsync, rename, fsync of the directory) so a crash or a full disk never leaves half a file;
 * loads are schema-checked with the same validators the API runs, so a hand-edited file with a mistake
 * is reported with its location instead of mounting something odd.
 *
 * Several processes may share the file (the app and `strata serve`, two serves): a change is applied
 * to the file as it is now, under a lock file, so nobody's save overwrites another's, and each process
 * watches the file to pick up the others' changes.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, watch as watchFs } from 'node:fs';
import { mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseUnionDefinition } from '../../common/apiArgs.ts';
import type { UnionDefinition } from '../../common/api.ts';
import { StrataError } from '../../common/errors.ts';
import { hasErrno } from '../sys/errno.ts';
import { processExists } from '../sys/processExists.ts';

const FORMAT_VERSION = 1;
/** A lock older than this was left by a process that died holding it (a save takes milliseconds). */
const STALE_LOCK_MS = 10_000;
const LOCK_WAIT_MS = 5_000;

export function defaultStorePath(env: NodeJS.ProcessEnv = process.env): string {
  const configHome = env.XDG_CONFIG_HOME && env.XDG_CONFIG_HOME.startsWith('/') ? env.XDG_CONFIG_HOME : join(homedir(), '.config');
  return join(configHome, 'strata', 'unions.json');
}

export class UnionStore {
  constructor(readonly path: string) {}

  async load(): Promise<UnionDefinition[]> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (err) {
      if (hasErrno(err, 'ENOENT')) return [];
      throw new StrataError('PERMISSION', `Cannot read ${this.path} (${(err as Error).message}): fix its permissions.`);
    }
    let data: { version?: unknown; unions?: unknown };
    try {
      data = JSON.parse(text);
    } catch (err) {
      throw new StrataError(
        'INVALID_ARGUMENT',
        `${this.path} is not valid JSON (${(err as Error).message}): fix it or move it away to start with no saved unions.`,
      );
    }
    if (data?.version !== FORMAT_VERSION || !Array.isArray(data.unions)) {
      throw new StrataError('INVALID_ARGUMENT', `${this.path} is not a Strata ${FORMAT_VERSION} union list: move it away to start with no saved unions.`);
    }
    return data.unions.map((raw, i) => {
      try {
        return parseUnionDefinition(raw);
      } catch (err) {
        throw new StrataError('INVALID_ARGUMENT', `Union ${i + 1} in ${this.path}: ${(err as Error).message} Fix or remove that entry.`);
      }
    });
  }

  get lockPath(): string {
    return `${this.path}.lock`;
  }

  /**
   * Applies `change` to the list as the file holds it now, under the lock, and returns the new list.
   * `change` should touch only the entry being saved, so concurrent savers keep each other's entries.
   */
  async update(change: (current: UnionDefinition[]) => UnionDefinition[]): Promise<UnionDefinition[]> {
    const release = await this.lock();
    try {
      const next = change(await this.load());
      await this.write(next);
      return next;
    } finally {
      await release();
    }
  }

  /** Replaces the whole list (under the lock). */
  async save(unions: readonly UnionDefinition[]): Promise<void> {
    await this.update(() => [...unions]);
  }

  /** Calls `onChange` when another process (or this one) replaced the file; returns the function that stops. */
  watch(onChange: () => void): () => void {
    const dir = dirname(this.path);
    let watcher;
    try {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      watcher = watchFs(dir, { persistent: false }, (_event, name) => {
        if (name === basename(this.path)) schedule();
      });
    } catch {
      // An unreadable config directory: loads and saves report it; changes just go unseen.
      return () => undefined;
    }
    let timer: NodeJS.Timeout | undefined;
    // A rename shows as several events; one reload is enough.
    const schedule = () => {
      clearTimeout(timer);
      timer = setTimeout(onChange, 50);
      timer.unref();
    };
    watcher.on('error', () => undefined);
    return () => {
      clearTimeout(timer);
      watcher.close();
    };
  }

  /** O_EXCL lock file holding the owner's pid; one whose owner is gone, or that is too old, is taken over. */
  private async lock(): Promise<() => Promise<void>> {
    await mkdir(dirname(this.path), { recursive: true, mode: 0o700 });
    const deadline = Date.now() + LOCK_WAIT_MS;
    for (;;) {
      try {
        const file = await open(this.lockPath, 'wx', 0o600);
        await file.writeFile(`${process.pid}\n`);
        await file.close();
        return () => rm(this.lockPath, { force: true });
      } catch (err) {
        if (!hasErrno(err, 'EEXIST')) {
          throw new StrataError('PERMISSION', `Cannot lock ${this.lockPath} (${(err as Error).message}): check the permissions of ${dirname(this.path)}.`);
        }
      }
      if (await this.lockIsStale()) {
        await rm(this.lockPath, { force: true });
        continue;
      }
      if (Date.now() > deadline) {
        throw new StrataError(
          'UNAVAILABLE',
          `${this.lockPath} has been locked for over ${LOCK_WAIT_MS / 1000} s by another Strata process: try again; remove the file if no Strata runs.`,
        );
      }
      await sleep(20);
    }
  }

  private async lockIsStale(): Promise<boolean> {
    const [text, st] = await Promise.all([readFile(this.lockPath, 'utf8').catch(() => ''), stat(this.lockPath).catch(() => null)]);
    if (!st) return false;
    const pid = Number(text.trim());
    const ownerGone = Number.isInteger(pid) && pid > 0 && !processExists(pid);
    return ownerGone || Date.now() - st.mtimeMs > STALE_LOCK_MS;
  }

  private async write(unions: readonly UnionDefinition[]): Promise<void> {
    const dir = dirname(this.path);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const tmp = `${this.path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    const body = JSON.stringify({ version: FORMAT_VERSION, unions }, null, 2) + '\n';
    try {
      const file = await open(tmp, 'wx', 0o600);
      try {
        await file.writeFile(body);
        await file.sync();
      } finally {
        await file.close();
      }
      await rename(tmp, this.path);
    } catch (err) {
      await rm(tmp, { force: true });
      throw new StrataError('PERMISSION', `Cannot save unions to ${this.path} (${(err as Error).message}): check free space and permissions of ${dir}.`);
    }
    // The rename is durable only once the directory entry is on disk.
    const d = await open(dir, 'r');
    try {
      await d.sync();
    } finally {
      await d.close();
    }
  }
}
