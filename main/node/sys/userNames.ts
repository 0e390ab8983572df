/** uid → user name from /etc/passwd (no NSS: users from LDAP and the like show as their uid). */
import { readFile } from 'node:fs/promises';
import { parsePasswd } from '../../common/proc/passwdParser.ts';

export async function loadUserNames(): Promise<(uid: number) => string> {
  const names = await readFile('/etc/passwd', 'utf8').then(parsePasswd, () => new Map<number, string>());
  return (uid) => names.get(uid) ?? String(uid);
}
