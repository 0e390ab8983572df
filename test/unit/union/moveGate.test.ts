// MoveGate: what moveonenospc relies on so that no write lands on a file's original after it was copied.
import { describe, expect, it } from 'vitest';
import { MoveGate } from '../../../main/node/union/moveGate.ts';

const tick = () => new Promise((r) => setImmediate(r));

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('MoveGate', () => {
  it('a move waits for the writes in flight, and writes that arrive during it wait for the move', async () => {
    const gate = new MoveGate();
    const log: string[] = [];
    const slowWrite = deferred();
    const w1 = gate.write('/f', async () => {
      await slowWrite.promise;
      log.push('w1');
    });
    await tick();
    const move = gate.move('/f', async () => {
      log.push('move start');
      await tick();
      log.push('move end');
    });
    await tick();
    const w2 = gate.write('/f', async () => void log.push('w2'));
    await tick();
    expect(log).toEqual([]);
    slowWrite.resolve();
    await Promise.all([w1, move, w2]);
    expect(log).toEqual(['w1', 'move start', 'move end', 'w2']);
  });

  it('other files are not held, and a failed move releases its file', async () => {
    const gate = new MoveGate();
    const moving = deferred();
    const move = gate.move('/f', async () => {
      await moving.promise;
      throw new Error('ENOSPC');
    });
    await tick();
    expect(await gate.write('/g', async () => 'g')).toBe('g');
    const w = gate.write('/f', async () => 'f');
    moving.resolve();
    await expect(move).rejects.toThrow('ENOSPC');
    expect(await w).toBe('f');
  });
});
