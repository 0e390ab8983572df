import { describe, expect, it, vi } from 'vitest';
import type { Notice } from '../../../main/common/notices.ts';
import { notifyNotices } from '../../../main/electron/notifications.ts';

function harness(supported = true, focused = false) {
  let emit: (n: Notice) => void = () => {};
  const shown: { options: { title?: string; body?: string }; click?: () => void }[] = [];
  const deps = {
    isSupported: () => supported,
    create: vi.fn((options: { title?: string; body?: string }) => {
      const entry: (typeof shown)[number] = { options };
      shown.push(entry);
      return {
        on: (_: 'click', fn: () => void) => {
          entry.click = fn;
        },
        show: vi.fn(),
      };
    }),
    onNotice: (l: (n: Notice) => void) => {
      emit = l;
      return () => {};
    },
    recover: vi.fn(async () => {}),
    showWindow: vi.fn(),
    windowFocused: () => focused,
    log: vi.fn(),
  };
  notifyNotices(deps as never);
  return { deps, shown, emit: (n: Notice) => emit(n) };
}

const died: Notice = {
  id: '1',
  kind: 'worker-died',
  at: 1,
  mountpoint: '/mnt/u',
  title: 'u stopped unexpectedly',
  message: 'The process died.',
  recoverable: true,
};
const full: Notice = {
  id: '2',
  kind: 'below-minfree',
  at: 1,
  mountpoint: '/mnt/u',
  branch: '/srv/a',
  title: 'u: /srv/a is nearly full',
  message: 'Less than 4 GiB.',
};

describe('desktop notifications', () => {
  it("shows each notice; clicking a dead union's mounts it again and opens the window", async () => {
    const h = harness();
    h.emit(died);
    expect(h.shown[0].options).toMatchObject({ title: 'u stopped unexpectedly', body: 'The process died. Click to mount it again.' });
    h.shown[0].click!();
    expect(h.deps.showWindow).toHaveBeenCalled();
    expect(h.deps.recover).toHaveBeenCalledWith('/mnt/u');
  });

  it('opens the window without recovering for other notices', () => {
    const h = harness();
    h.emit(full);
    h.shown[0].click!();
    expect(h.deps.recover).not.toHaveBeenCalled();
    expect(h.deps.showWindow).toHaveBeenCalled();
  });

  it('leaves a refusal to the focused window that caused it, and tells the tray user', () => {
    const refused: Notice = { id: '3', kind: 'busy-refused', at: 1, mountpoint: '/mnt/u', title: '/mnt/u is in use', message: 'vim (pid 7) uses it.' };
    const focused = harness(true, true);
    focused.emit(refused);
    expect(focused.deps.create).not.toHaveBeenCalled();
    const hidden = harness(true, false);
    hidden.emit(refused);
    expect(hidden.shown[0].options).toMatchObject({ title: '/mnt/u is in use', body: 'vim (pid 7) uses it.' });
  });

  it('stays quiet where the desktop has no notification service', () => {
    const h = harness(false);
    h.emit(full);
    expect(h.deps.create).not.toHaveBeenCalled();
  });
});
