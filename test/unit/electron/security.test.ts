import { describe, expect, it, vi } from 'vitest';
import { denyPermissions, enableSecurityRules } from '../../../main/electron/security.ts';

describe('security rules', () => {
  it('keeps every web contents on the app, without new windows or webviews', () => {
    let created: ((e: unknown, contents: unknown) => void) | undefined;
    enableSecurityRules(
      {
        on: (_: string, fn: never) => {
          created = fn;
        },
      } as never,
      (url) => url === 'file:///app/index.html',
    );
    const handlers = new Map<string, (e: { preventDefault(): void }, url?: string) => void>();
    const contents = { on: (name: string, fn: never) => handlers.set(name, fn), setWindowOpenHandler: vi.fn() };
    created!({}, contents);

    const navigate = (name: string, url: string) => {
      const e = { preventDefault: vi.fn() };
      handlers.get(name)!(e, url);
      return e.preventDefault.mock.calls.length > 0;
    };
    expect(navigate('will-navigate', 'https://example.com')).toBe(true);
    expect(navigate('will-redirect', 'file:///etc/passwd')).toBe(true);
    expect(navigate('will-navigate', 'file:///app/index.html')).toBe(false);
    expect(navigate('will-attach-webview', 'x')).toBe(true);
    expect(contents.setWindowOpenHandler.mock.calls[0][0]()).toEqual({ action: 'deny' });
  });

  it('denies every permission request and check', () => {
    const session = { setPermissionRequestHandler: vi.fn(), setPermissionCheckHandler: vi.fn() };
    denyPermissions(session as never);
    const answer = vi.fn();
    session.setPermissionRequestHandler.mock.calls[0][0]({}, 'media', answer);
    expect(answer).toHaveBeenCalledWith(false);
    expect(session.setPermissionCheckHandler.mock.calls[0][0]()).toBe(false);
  });
});
