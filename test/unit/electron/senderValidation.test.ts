import { describe, expect, it, vi } from 'vitest';
import { isTrustedSender, ValidatedIpcMain } from '../../../main/electron/senderValidation.ts';

const APP = new URL('file:///opt/Strata/resources/app.asar/dist/renderer/index.html');

function event(url: string, { mainFrame = true } = {}) {
  const frame = { url };
  return { senderFrame: frame, sender: { mainFrame: mainFrame ? frame : { url } } } as never;
}

describe('isTrustedSender', () => {
  it("trusts only the main frame of Strata's own renderer file", () => {
    expect(isTrustedSender(event(APP.href), APP)).toBe(true);
    expect(isTrustedSender(event(`${APP.href}#x`), APP)).toBe(true);
    expect(isTrustedSender(event(APP.href, { mainFrame: false }), APP)).toBe(false);
    expect(isTrustedSender(event('file:///tmp/evil.html'), APP)).toBe(false);
    expect(isTrustedSender(event('https://example.com/dist/renderer/index.html'), APP)).toBe(false);
    expect(isTrustedSender(event('not a url'), APP)).toBe(false);
    expect(isTrustedSender({ senderFrame: null, sender: { mainFrame: {} } } as never, APP)).toBe(false);
  });
});

describe('ValidatedIpcMain', () => {
  it('runs the handler for the app and refuses everyone else without calling it', async () => {
    const registered = new Map<string, (e: unknown, args: unknown) => unknown>();
    const ipc = new ValidatedIpcMain({ handle: (ch: string, fn: never) => registered.set(ch, fn) } as never, APP);
    const handler = vi.fn(async (args: unknown) => ({ result: args }));
    ipc.handle('unions:list', handler);
    const listener = registered.get('unions:list')!;
    expect(await listener(event(APP.href), { a: 1 })).toEqual({ result: { a: 1 } });
    expect(await listener(event('file:///tmp/evil.html'), { a: 2 })).toMatchObject({ error: { code: 'PERMISSION' } });
    expect(handler).toHaveBeenCalledTimes(1);
  });
});
