import { execFileSync, spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../support/serviceFakes.ts';

const ADDON = join(import.meta.dirname, '../../../native/sys/build/Release/strata_exit.node');

/** A Node process with a worker thread blocked in the kernel (open of a FIFO nobody writes), then told to end. */
function exitWithStuckThread(fifo: string, how: 'exitNow' | 'process.exit'): Promise<number | 'still running'> {
  const end = how === 'exitNow' ? `require(${JSON.stringify(ADDON)}).exitNow(3)` : 'process.exit(3)';
  const script = `const { Worker } = require('node:worker_threads');
    const w = new Worker(${JSON.stringify(`require('fs').readFileSync(${JSON.stringify(fifo)})`)}, { eval: true });
    setTimeout(() => { void w.terminate(); ${end}; }, 300);`;
  const child = spawn(process.execPath, ['-e', script], { stdio: 'ignore' });
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve('still running');
    }, 3000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code ?? -1);
    });
  });
}

describe('exitNow', () => {
  it('ends a process whose worker thread never returns from the kernel, which process.exit cannot', async () => {
    const fifo = join(tempDir(), 'fifo');
    execFileSync('mkfifo', [fifo]);
    expect(await exitWithStuckThread(fifo, 'process.exit')).toBe('still running');
    expect(await exitWithStuckThread(fifo, 'exitNow')).toBe(3);
  });
});
