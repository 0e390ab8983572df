/**
 * The saved unions: `$XDG_CONFIG_HOME/strata/unions.json` (default ~/.config/strata). Writes are atomic
 * (temp file, fsync, rename, fsync of the directory) so a crash or a full disk never leaves half a file;
 * loads are schema-checked with the same validators the API runs, so a hand-edited file with a mistake
 * is reported with its location instead of mounting something odd.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseUnionDefinition } from '../../common/apiArgs.ts';
import type { UnionDefinition } from '../../common/api.ts';
import { StrataError } from '../../common/errors.ts';

const FORMAT_VERSION = 1;

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
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw new StrataError('PERMISSION', `Cannot read ${this.path} (${(err as Error).message}): fix its permissions.`);
    }
    let data: { version?: unknown; unions?: unknown };
    try {
      data = JSON.parse(text);
    } catch (err) {
      throw new StrataError('INVALID_ARGUMENT', `${this.path} is not valid JSON (${(err as Error).message}): fix it or move it away to start with no saved unions.`);
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

  async save(unions: readonly UnionDefinition[]): Promise<void> {
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
