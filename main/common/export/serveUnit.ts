/**
 * A systemd user service for `strata serve`, so a machine without a display keeps the UI and its unions
 * across logouts (with `loginctl enable-linger`). KillMode=process: stopping the service stops the
 * server only; the mount workers it started live in the service's cgroup too, and systemd's default
 * would kill them and leave every union dead.
 */

/** systemd's command-line quoting (systemd.service(5) "Command lines"): `%` and `$` are expansions. */
function execWord(word: string): string {
  const literal = word.replace(/%/g, '%%').replace(/\$/g, '$$$$');
  return /[\s"'\\;]/.test(literal) ? `"${literal.replace(/["\\]/g, (c) => `\\${c}`)}"` : literal;
}

export const SERVE_UNIT_NAME = 'strata-serve.service';

export function formatServeUnit(command: readonly string[], environment: Readonly<Record<string, string>> = {}): string {
  return [
    `# ~/.config/systemd/user/${SERVE_UNIT_NAME}: systemctl --user daemon-reload && systemctl --user enable --now ${SERVE_UNIT_NAME}`,
    '# The URL with its token: journalctl --user -u strata-serve. To outlive logouts: loginctl enable-linger "$USER".',
    '[Unit]',
    'Description=Strata union manager UI for a browser (strata serve)',
    '',
    '[Service]',
    ...Object.entries(environment).map(([k, v]) => `Environment=${execWord(`${k}=${v}`)}`),
    `ExecStart=${command.map(execWord).join(' ')}`,
    'KillMode=process',
    'Restart=on-failure',
    '',
    '[Install]',
    'WantedBy=default.target',
    '',
  ].join('\n');
}
