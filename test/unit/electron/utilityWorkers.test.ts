import { EventEmitter } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it, vi } from 'vitest';
import { tempDir } from '../../support/serviceFakes.ts';

class FakeUtility extends EventEmitter {
  pid = 321;
  stdout = new PassThrough();
  stderr = new PassThrough();
  kill = vi.fn();
}

const forks: { path: string; options: { env: Record<string, string>; serviceName: string; stdio: string }; child: FakeUtility }[] = [];

vi.mock(
  import('electron'),
  () =>
    ({
      utilityProcess: {
        fork: (path: string, _args: string[], options: never) => {
          const child = new FakeUtility();
          forks.push({ path, options, child });
          return child;
        },
      },
    }) as never,
);

const { utilityWorkerSpawner } = await import('../../../main/electron/utilityWorkers.ts');

describe('utility-process workers', () => {
  it('forks the worker with its config, logs its output and reports its first message as readiness', async () => {
    const log = join(tempDir(), 'worker.log');
    const worker = utilityWorkerSpawner('/app/dist/worker.js', { STRATA_WORKER_CONFIG: JSON.stringify({ mountpoint: '/mnt/u' }) }, log);
    const { path, options, child } = forks[0];
    expect(path).toBe('/app/dist/worker.js');
    expect(options).toMatchObject({ stdio: 'pipe', serviceName: 'Strata worker /mnt/u', env: { STRATA_WORKER_CONFIG: expect.any(String) } });
    expect(worker.pid).toBe(321);
    child.stdout.write('mounted\n');
    child.emit('message', { ok: true, pid: 321 });
    expect(await worker.ready).toEqual({ ok: true, pid: 321 });
    child.emit('exit', 0);
    expect(await worker.exited).toBe(0);
    await vi.waitFor(() => expect(readFileSync(log, 'utf8')).toBe('mounted\n'));
    worker.kill();
    expect(child.kill).toHaveBeenCalled();
  });

  it('reports no readiness when the worker exits first', async () => {
    const log = join(tempDir(), 'w.log');
    const worker = utilityWorkerSpawner('/w.js', {}, log);
    forks.at(-1)!.child.emit('exit', 1);
    expect(await worker.ready).toBeNull();
    expect(await worker.exited).toBe(1);
    // The log is opened asynchronously; its directory goes when the file's tests end.
    await vi.waitFor(() => expect(existsSync(log)).toBe(true));
  });

  it('drops the output, and nothing else, when its log cannot be opened', async () => {
    const worker = utilityWorkerSpawner('/w.js', {}, join(tempDir(), 'gone', 'w.log'));
    const { child } = forks.at(-1)!;
    // The failed log lets go of the pipes; they keep flowing, so the worker never blocks on its output.
    await vi.waitFor(() => expect(child.stdout.listenerCount('data')).toBe(0));
    expect([child.stdout.readableFlowing, child.stderr.readableFlowing]).toEqual([true, true]);
    child.stdout.write(Buffer.alloc(1 << 20));
    await vi.waitFor(() => expect(child.stdout.readableLength).toBe(0));
    child.emit('message', { ok: true, pid: 321 });
    expect(await worker.ready).toEqual({ ok: true, pid: 321 });
  });
});
