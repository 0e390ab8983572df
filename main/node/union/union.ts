/**
 * A mounted union: the FUSE op table over an ordered list of branches, plus the control-channel
 * queries (where, preview, handles, stats) and live reconfiguration. One instance per worker process.
 */
import type { BranchStatus, HandleInfo, OpStats, PreviewResult, UnionConfig, UnionConfigPatch, WhereResult } from '../../common/contract.ts';
import type { CreateFunction } from '../../common/policies/types.ts';
import type { BackendCapabilities, FuseOps } from '../fuse/ops.ts';
import type { Syscalls } from '../sys/syscalls.ts';

export interface UnionDeps {
  sys: Syscalls;
  capabilities: BackendCapabilities;
  now?: () => number;
  random?: () => number;
}

export class Union {
  constructor(public config: UnionConfig, readonly deps: UnionDeps) {}
  get ops(): FuseOps { throw new Error('not implemented'); }
  async reconfigure(_patch: UnionConfigPatch): Promise<UnionConfig> { throw new Error('not implemented'); }
  async branchStatus(): Promise<BranchStatus[]> { throw new Error('not implemented'); }
  stats(): OpStats { throw new Error('not implemented'); }
  async where(_relPath: string): Promise<WhereResult> { throw new Error('not implemented'); }
  async preview(_relPath: string, _fn: CreateFunction): Promise<PreviewResult> { throw new Error('not implemented'); }
  handles(): HandleInfo[] { throw new Error('not implemented'); }
}
