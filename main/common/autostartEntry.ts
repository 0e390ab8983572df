/**
 * The XDG autostart entry that starts Strata at login (Desktop Entry Specification 1.5). Its Exec key
 * has its own quoting: an argument with a space or reserved character is double-quoted, inside which
 * `"`, `` ` ``, `$` and `\` take a backslash; a literal `%` is `%%` (field codes).
 */
const RESERVED = /[\s"'\\><~|&;$*?#()`%]/;

export function desktopExecArg(arg: string): string {
  const fields = arg.replace(/%/g, '%%');
  return RESERVED.test(arg) ? `"${fields.replace(/["`$\\]/g, (c) => `\\${c}`)}"` : fields;
}

export function autostartEntry(command: readonly string[]): string {
  return [
    '[Desktop Entry]',
    'Type=Application',
    'Name=Strata',
    'Comment=Keeps your union mounts and their tray icon running',
    `Exec=${command.map(desktopExecArg).join(' ')}`,
    'Icon=strata-desktop',
    'Terminal=false',
    'X-GNOME-Autostart-enabled=true',
    '',
  ].join('\n');
}
