/**
 * The renderer's own deadline on every request, a little past the server's: a server (or preload
 * bridge) that never answers must not leave a screen waiting, or hold one of the browser's few
 * connections to the host, for good.
 */
import { apiDeadlineMs, CLIENT_GRACE_MS, type ApiResponse, type Channel, type StrataBridge } from '../../../../main/common/api.ts';

export function clientDeadlineMs(channel: Channel): number {
  return apiDeadlineMs(channel) + CLIENT_GRACE_MS;
}

export function timedOut(channel: Channel): ApiResponse<never> {
  return {
    error: {
      code: 'TIMEOUT',
      message: `No answer to ${channel} within ${clientDeadlineMs(channel) / 1000} s: check that Strata is still running, then try again.`,
    },
  };
}

/** `b` with every invoke settled by its deadline at the latest. */
export function withDeadlines(b: StrataBridge): StrataBridge {
  return {
    environment: b.environment,
    on: (event, listener) => b.on(event, listener),
    invoke(channel, args) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const late = new Promise<ApiResponse<never>>((resolve) => {
        timer = setTimeout(() => resolve(timedOut(channel)), clientDeadlineMs(channel));
      });
      return Promise.race([b.invoke(channel, args), late]).finally(() => clearTimeout(timer));
    },
  };
}
