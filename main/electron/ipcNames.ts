/** The one IPC channel main uses to push api.ts events to the renderer (requests use their own names). */
export const EVENT_CHANNEL = 'strata:event';
