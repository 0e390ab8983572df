/**
 * Notices as desktop notifications, so a nearly full branch or a dead union is seen with the window
 * closed. Clicking one recovers a dead union (mounts it again) and opens the window.
 */
import type { NotificationConstructorOptions } from 'electron';
import type { Notice } from '../common/notices.ts';

export interface NotificationDeps {
  isSupported(): boolean;
  create(options: NotificationConstructorOptions): { on(event: 'click', listener: () => void): unknown; show(): void };
  onNotice(listener: (notice: Notice) => void): () => void;
  recover(mountpoint: string): Promise<unknown>;
  showWindow(): void;
  /** A refusal the user caused from the focused window is already shown there, with the processes. */
  windowFocused(): boolean;
  log(line: string): void;
}

export function notifyNotices(deps: NotificationDeps): () => void {
  return deps.onNotice((notice) => {
    if (!deps.isSupported() || (notice.kind === 'busy-refused' && deps.windowFocused())) return;
    const body = notice.recoverable ? `${notice.message} Click to mount it again.` : notice.message;
    const notification = deps.create({ title: notice.title, body, urgency: notice.kind === 'worker-died' ? 'critical' : 'normal' });
    notification.on('click', () => {
      deps.showWindow();
      if (notice.recoverable) {
        deps.recover(notice.mountpoint).catch((err: Error) => deps.log(`Could not mount ${notice.mountpoint} again: ${err.message}`));
      }
    });
    notification.show();
  });
}
