import { describe, expect, it } from 'vitest';
import { parsePasswd } from '../../../main/common/proc/passwdParser.ts';
import { parseProcStat, parseProcStatus } from '../../../main/common/proc/procStatParser.ts';
import { procText } from './fixtures.ts';

describe('parseProcStat', () => {
  it('reads a comm holding ") (" and the fields after it', () => {
    const stat = parseProcStat(procText('holder.stat'))!;
    expect(stat.comm).toBe('we ird) (x');
    expect(stat.startTime).toBeGreaterThan(0);
    expect(stat.vsize).toBeGreaterThan(1 << 20);
    expect(stat.kernelThread).toBe(false);
  });

  it('recognises a kernel thread', () => {
    expect(parseProcStat(procText('kthread.stat'))).toMatchObject({ pid: 2, comm: 'kthreadd', kernelThread: true });
  });

  it('rejects truncated text', () => {
    expect(parseProcStat('12 (x) S 1 2')).toBeNull();
    expect(parseProcStat('')).toBeNull();
  });
});

describe('parseProcStatus', () => {
  it('reads the four uids', () => {
    expect(parseProcStatus(procText('holder.status')).uids).toEqual([0, 0, 0, 0]);
    expect(parseProcStatus('Name:\tx\nUid:\t1000\t1001\t1002\t1003\n').uids).toEqual([1000, 1001, 1002, 1003]);
    expect(parseProcStatus('Name:\tx\n').uids).toBeUndefined();
  });
});

describe('parsePasswd', () => {
  it('maps uids to names, first entry wins', () => {
    const users = parsePasswd('root:x:0:0:root:/root:/bin/bash\n# comment\nalice:x:1000:1000::/home/alice:/bin/sh\ntoor:x:0:0::/:/bin/sh\n');
    expect([...users]).toEqual([
      [0, 'root'],
      [1000, 'alice'],
    ]);
  });
});
