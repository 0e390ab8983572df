/** Unions, snapshots and policies the component tests share. */
import type { PolicyCatalog, UnionSummary } from '../../../main/common/api.ts';
import type { UnionConfig } from '../../../main/common/contract.ts';
import type { MapsSnapshot } from '../../../main/common/maps.ts';
import { buildUnionConfig } from '../../../main/common/unionConfig.ts';

/** 'media' on /mnt/media: /srv/ssd and /srv/hdd (rw) over /srv/archive (ro), the CLI's defaults otherwise. */
export function config(over: Partial<UnionConfig> = {}): UnionConfig {
  return { ...buildUnionConfig('/mnt/media', ['/srv/ssd=rw', '/srv/hdd=rw', '/srv/archive=ro']), ...over };
}

export function summary(over: Partial<UnionSummary> = {}): UnionSummary {
  const c = over.config ?? config();
  return {
    mountpoint: c.mountpoint,
    name: c.name,
    state: 'stopped',
    mountExists: false,
    saved: true,
    autoMount: false,
    config: c,
    branches: c.branches.map((b, index) => ({ index, path: b.path, mode: b.mode, total: 100 * 2 ** 30, avail: 40 * 2 ** 30, used: 60 * 2 ** 30 })),
    ...over,
  };
}

export const CATALOG: PolicyCatalog = {
  create: [
    { name: 'tdp', family: 'aufs', form: 'tdp', args: '', summary: 'The topmost writable branch where the parent directory exists.' },
    { name: 'mfs', family: 'aufs', form: 'mfs:SEC', args: 'SEC: seconds to hold the choice', summary: 'The most free space, held for a while.' },
    { name: 'mfsrr', family: 'aufs', form: 'mfsrr:LOW[:SEC]', args: 'LOW: free-space watermark', summary: 'Most free space, round-robin below a watermark.' },
    { name: 'epmfs', family: 'mergerfs', form: 'epmfs', args: '', summary: 'Of the branches where the parent exists, the one with the most free space.' },
    { name: 'mfs', family: 'mergerfs', form: 'mfs', args: '', summary: 'The branch with the most free space.' },
  ],
  copyup: [
    { name: 'tdp', family: 'aufs', form: 'tdp', args: '', summary: 'The nearest writable branch above the source.' },
    { name: 'bup', family: 'aufs', form: 'bup', args: '', summary: 'Bottom-up from the source, parent must exist.' },
    { name: 'bu', family: 'aufs', form: 'bu', args: '', summary: 'Bottom-up from the source.' },
  ],
};

export function snapshot(): MapsSnapshot {
  const base = { mountpoint: '/mnt/media', uid: 1000, user: 'ann', deleted: false, direct: false };
  return {
    at: Date.now(),
    entries: [
      {
        ...base,
        pid: 4242,
        command: 'python3',
        kind: 'mmap',
        perms: 'r--s',
        relPath: '/movie.mkv',
        virtualPath: '/mnt/media/movie.mkv',
        branch: 1,
        realPath: '/srv/hdd/movie.mkv',
      },
      {
        ...base,
        pid: 4242,
        command: 'python3',
        kind: 'fd',
        fd: 3,
        access: 'r',
        relPath: '/movie.mkv',
        virtualPath: '/mnt/media/movie.mkv',
        branch: 1,
        realPath: '/srv/hdd/movie.mkv',
      },
      {
        ...base,
        pid: 77,
        command: 'vlc',
        kind: 'fd',
        fd: 9,
        access: 'r',
        relPath: '/song.flac',
        virtualPath: '/mnt/media/song.flac',
        branch: 0,
        realPath: '/srv/ssd/song.flac',
      },
    ],
    uninspectable: [{ pid: 1, command: 'systemd', reason: 'permission denied' }],
  };
}
