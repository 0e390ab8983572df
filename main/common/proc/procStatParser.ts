/** Parsers for /proc/PID/stat and /proc/PID/status (proc_pid_stat(5), proc_pid_status(5)). Pure. */

export interface ProcStat {
  pid: number;
  /** comm: up to 15 bytes, may hold spaces and parentheses. */
  comm: string;
  /** 'R', 'S', ... 'Z' for a zombie, which has neither memory map nor fds left. */
  state: string;
  /** Clock ticks after boot: with the pid, identifies a process across PID reuse. */
  startTime: number;
  /** Bytes of virtual memory: changes whenever a mapping is added or removed (mostly). */
  vsize: number;
  /** PF_KTHREAD: kernel threads have no memory map and no files of their own. */
  kernelThread: boolean;
}

const PF_KTHREAD = 0x00200000;

/** comm sits in parentheses and can itself contain ') ', so the fields start after the last ')'. */
export function parseProcStat(text: string): ProcStat | null {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return null;
  // f[0] is field 3 (state); flags is field 9, startTime field 22 and vsize field 23. The ~30 fields
  // after those are not split: this runs for every process on every rescan.
  const f = text.slice(close + 2).split(' ', 21);
  if (f.length < 21) return null;
  return {
    pid: Number(text.slice(0, open).trim()),
    comm: text.slice(open + 1, close),
    state: f[0],
    startTime: Number(f[19]),
    vsize: Number(f[20]),
    kernelThread: (Number(f[6]) & PF_KTHREAD) !== 0,
  };
}

export interface ProcStatus {
  /** Real, effective, saved and filesystem uid. */
  uids?: [number, number, number, number];
}

export function parseProcStatus(text: string): ProcStatus {
  const m = /^Uid:\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*$/m.exec(text);
  return m ? { uids: [Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4])] } : {};
}
