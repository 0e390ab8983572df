// `npm start`: runs the desktop app with Electron's binary, fetched on first use the way `npx electron`
// does. Where it cannot be fetched (no access to Electron's downloads), it says so plainly and points to
// `strata serve`, which serves the same interface to a browser.
import { spawn, spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Electron's path; require('electron') downloads the binary when it is missing, so ask in a child whose noise we keep. */
function findElectron() {
  const r = spawnSync(process.execPath, ['-e', "process.stdout.write(require('electron'))"], { cwd: root, encoding: 'utf8', timeout: 10 * 60_000 });
  if (r.status === 0 && r.stdout) return { path: r.stdout };
  // The downloader's own error (e.g. "TypeError: fetch failed") says more than Electron's generic wrapper.
  const reason = `${r.stderr ?? ''}`
    .split('\n')
    .map((l) => l.trim())
    .find((l) => /error/i.test(l) && !l.includes('failed to install correctly'));
  return { reason: reason ?? (r.error ? r.error.message : 'the download failed') };
}

const electron = findElectron();
if (!electron.path) {
  console.error(
    [
      "Strata: Electron's binary is not installed and could not be downloaded",
      `(${electron.reason}).`,
      'The same interface runs in a browser without Electron:',
      '  npx strata serve',
      'then open the URL it prints.',
    ].join('\n'),
  );
  process.exit(1);
}

// Chromium refuses to start as root with its sandbox on; Strata's renderer keeps contextIsolation and no Node either way.
const rootArgs = process.getuid?.() === 0 ? ['--no-sandbox'] : [];
if (rootArgs.length) console.error("Strata: running as root, so Chromium's process sandbox is off; prefer running the app as your user.");
const child = spawn(electron.path, [...rootArgs, root, ...process.argv.slice(2)], { stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
