/**
 * A process named so that a reused pid cannot pass for it: its pid and its start time (/proc/PID/stat).
 * Files that outlive their writer (a worker's pid file, its branch list) record both.
 */
import { readFile } from 'node:fs/promises';
import { type ProcStat, parseProcStat } from '../../common/proc/procStatParser.ts';

async function procStat(pid: number | 'self'): Promise<ProcStat | null> {
  return parseProcStat(await readFile(`/proc/${pid}/stat`, 'latin1').catch(() => ''));
}

/** This process's start time, as `procStat` gives it; 0 where /proc cannot say. */
export async function ownStartTime(): Promise<number> {
  return (await procStat('self'))?.startTime ?? 0;
}

/** The state of process `pid` if it is the one that started at `startTime` and is not a zombie; else null. */
export async function liveProcess(pid: number, startTime: number): Promise<ProcStat | null> {
  const stat = await procStat(pid);
  return stat && stat.startTime === startTime && stat.state !== 'Z' && stat.state !== 'X' ? stat : null;
}
