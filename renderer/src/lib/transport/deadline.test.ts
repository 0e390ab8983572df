import { afterEach, describe, expect, it, vi } from 'vitest';
import type { StrataBridge } from '../../../../main/common/api.ts';
import { clientDeadlineMs, withDeadlines } from './deadline.ts';

afterEach(() => {
  vi.useRealTimers();
});

describe('the client-side deadline', () => {
  it("settles a request the other side never answers with TIMEOUT, after the server's own deadline", async () => {
    vi.useFakeTimers();
    const silent: StrataBridge = { environment: 'electron', invoke: () => new Promise(() => undefined), on: () => () => undefined };
    const answer = withDeadlines(silent).invoke('unions:list', {});
    vi.advanceTimersByTime(clientDeadlineMs('unions:list') - 1);
    let settled = false;
    void answer.then(() => (settled = true));
    await Promise.resolve();
    expect(settled).toBe(false);
    vi.advanceTimersByTime(1);
    expect(await answer).toEqual({ error: { code: 'TIMEOUT', message: expect.stringContaining('No answer to unions:list') } });
  });

  it('passes answers through untouched', async () => {
    const quick: StrataBridge = { environment: 'electron', invoke: async () => ({ result: null }) as never, on: () => () => undefined };
    expect(await withDeadlines(quick).invoke('fs:pickFolder', {})).toEqual({ result: null });
  });
});
