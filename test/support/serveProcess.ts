/** A real `strata serve` child for integration tests: its URL, a typed-enough API caller and its event stream. */
import { CLI, background } from './unionFixture.ts';

export interface ServeProcess {
  pid: number;
  url: string;
  token: string;
  api(channel: string, args: unknown): Promise<{ result?: unknown; error?: { code: string; message: string } }>;
  /** Opens /api/events; `events()` is every event name received so far. */
  listen(): Promise<{ events: () => string[]; close: () => void }>;
  stop(): Promise<void>;
}

export async function startServe(env: NodeJS.ProcessEnv = {}): Promise<ServeProcess> {
  const token = `it-token-${Math.random().toString(36).slice(2)}-0000`;
  const child = background(process.execPath, [CLI, 'serve', '--port', '0', '--token', token], { env });
  await child.waitFor('serving on');
  const url = /http:\/\/127\.0\.0\.1:(\d+)\//.exec(child.output())![0];
  const headers = { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` };
  return {
    pid: child.child.pid!,
    url,
    token,
    async api(channel, args) {
      const res = await fetch(`${url}api/${channel}`, { method: 'POST', headers, body: JSON.stringify(args) });
      return (await res.json()) as { result?: unknown; error?: { code: string; message: string } };
    },
    async listen() {
      const abort = new AbortController();
      const res = await fetch(`${url}api/events`, { headers, signal: abort.signal });
      const names: string[] = [];
      const reader = res.body!.getReader();
      void (async () => {
        let text = '';
        try {
          for (;;) {
            const { value, done } = await reader.read();
            if (done) return;
            text += new TextDecoder().decode(value);
            for (const m of text.matchAll(/^event: (\S+)$/gm)) names.push(m[1]);
            text = text.slice(text.lastIndexOf('\n') + 1);
          }
        } catch {
          // closed
        }
      })();
      return { events: () => [...names], close: () => abort.abort() };
    },
    stop: child.stop,
  };
}
