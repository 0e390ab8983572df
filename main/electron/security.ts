/**
 * Electron's security checklist for every web contents this app creates, hooked once on
 * web-contents-created: no navigation away from the renderer, no new windows, no <webview>, and every
 * permission request (camera, notifications, ...) denied. The renderer needs none of them.
 */
import type { App, Session } from 'electron';

export function enableSecurityRules(app: Pick<App, 'on'>, isAppUrl: (url: string) => boolean): void {
  app.on('web-contents-created', (_event, contents) => {
    const stayHome = (e: { preventDefault(): void }, url: string) => {
      if (!isAppUrl(url)) e.preventDefault();
    };
    contents.on('will-navigate', stayHome);
    contents.on('will-redirect', stayHome);
    contents.on('will-attach-webview', (e) => e.preventDefault());
    contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  });
}

export function denyPermissions(session: Pick<Session, 'setPermissionRequestHandler' | 'setPermissionCheckHandler'>): void {
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
}
