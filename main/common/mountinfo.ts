/** Parser for /proc/PID/mountinfo (proc(5)). Pure: give it the file's text. */

export interface MountInfoEntry {
  mountId: number;
  parentId: number;
  major: number;
  minor: number;
  /** Root of the mount within its filesystem. */
  root: string;
  mountpoint: string;
  options: string;
  fstype: string;
  source: string;
  superOptions: string;
}

/** mountinfo escapes space, tab, newline and backslash as \040 \011 \012 \134. */
export function unescapeMountField(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}

export function parseMountInfo(text: string): MountInfoEntry[] {
  const out: MountInfoEntry[] = [];
  for (const line of text.split('\n')) {
    if (!line) continue;
    const f = line.split(' ');
    const sep = f.indexOf('-', 6);
    if (sep < 0 || f.length < sep + 4) continue;
    const [major, minor] = f[2].split(':').map(Number);
    out.push({
      mountId: Number(f[0]),
      parentId: Number(f[1]),
      major,
      minor,
      root: unescapeMountField(f[3]),
      mountpoint: unescapeMountField(f[4]),
      options: f[5],
      fstype: f[sep + 1],
      source: unescapeMountField(f[sep + 2]),
      superOptions: f[sep + 3],
    });
  }
  return out;
}

export const STRATA_FSTYPE = 'fuse.strata';

/** The mount stacked on `entry` at its own mountpoint, if any: what that path reaches instead, and what an unmount by it takes down. */
export function mountOnTop(entry: MountInfoEntry, table: readonly MountInfoEntry[]): MountInfoEntry | undefined {
  return table.find((e) => e.parentId === entry.mountId && e.mountpoint === entry.mountpoint);
}

/** A FUSE filesystem: its calls wait on a server process, which may stop answering. */
const isFuseType = (fstype: string): boolean => fstype === 'fuse' || fstype === 'fuseblk' || fstype.startsWith('fuse.');

/** Filesystems whose calls wait on a server or cluster elsewhere: on an NFS hard mount, for as long as it is away. */
const NETWORK_FSTYPES = new Set(['nfs', 'nfs4', 'cifs', 'smb3', 'smbfs', '9p', 'ceph', 'afs', 'coda', 'lustre', 'orangefs', 'gfs2', 'ocfs2']);

/** Whether a call on a filesystem of this type may wait without end on something other than this machine's disks. */
export const mayHang = (fstype: string): boolean => isFuseType(fstype) || NETWORK_FSTYPES.has(fstype);
