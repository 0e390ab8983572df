// The API's channels and events are declared once (REQUESTS and the event table in common/api.ts); the
// validators and handlers are typed over them. These check what the types cannot: that every server
// actually routes every channel, and that the deadlines still fit what each request waits for.
import { describe, expect, it } from 'vitest';
import { apiDeadlineMs, CHANNELS, EVENTS, isChannel, isEventName } from '../../../main/common/api.ts';
import { createDispatch } from '../../../main/node/service/dispatch.ts';
import { serviceWithFakes } from '../../support/serviceFakes.ts';

describe('API names', () => {
  it('lists each channel and event once, as <service>:<method> (events may be one word)', () => {
    expect(new Set(CHANNELS).size).toBe(CHANNELS.length);
    for (const c of CHANNELS) expect(c).toMatch(/^[a-z]+:[a-zA-Z]+$/);
    for (const e of EVENTS) expect(e).toMatch(/^[a-z]+(:[a-zA-Z]+)?$/);
    expect(isChannel('unions:list') && !isChannel('toString') && !isChannel('notice')).toBe(true);
    expect(isEventName('notice') && !isEventName('unions:list')).toBe(true);
  });

  it('the shared dispatch validates and answers every channel: none is unknown or missing its handler', async () => {
    const dispatch = createDispatch(serviceWithFakes().service, { pickFolder: async () => null });
    for (const channel of CHANNELS) {
      // null is a bad argument for most: the validator answers, so a channel without one would show here.
      const answer = await dispatch(channel, null);
      const error = 'error' in answer ? answer.error : undefined;
      expect({ channel, error: error?.message.includes('Unknown request') || error?.code === 'INTERNAL' ? error : undefined }).toEqual({
        channel,
        error: undefined,
      });
    }
  });

  it('requests that wait for a worker get longer than its 20 s readiness; a folder dialog waits for the user', () => {
    for (const c of ['unions:save', 'unions:mount', 'unions:unmount', 'unions:setLive', 'unions:recover'] as const) {
      expect(apiDeadlineMs(c)).toBeGreaterThan(20_000);
    }
    expect(apiDeadlineMs('fs:pickFolder')).toBeGreaterThanOrEqual(5 * 60_000);
    expect(apiDeadlineMs('unions:list')).toBeLessThan(20_000);
  });
});
