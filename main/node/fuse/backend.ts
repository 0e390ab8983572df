/**
 * Picks the FUSE backend a worker serves its union with. Strata's own libfuse 3 addon ('native') is
 * preferred once it is built; fuse-native is the fallback that needs no compiler. STRATA_BACKEND forces
 * one (tests pin fuse-native to check its known defects).
 */
import type { BackendName } from '../../common/contract.ts';
import { StrataError } from '../../common/errors.ts';
import { createFuseNativeBackend } from './fuseNativeBackend.ts';
import { loadNativeBackend } from './nativeBackend.ts';
import type { FuseBackend } from './ops.ts';

export interface SelectedBackend {
  backend: FuseBackend;
  /** Why the preferred backend was not used, for the worker's log and `strata list`. */
  warning?: string;
}

function forcedBackend(): BackendName | undefined {
  const forced = process.env.STRATA_BACKEND;
  if (forced === undefined || forced === '') return undefined;
  if (forced !== 'native' && forced !== 'fuse-native') {
    throw new StrataError('INVALID_ARGUMENT', `STRATA_BACKEND=${forced} is not a backend: use native or fuse-native, or unset it.`);
  }
  return forced;
}

export function selectBackend(pref?: BackendName): SelectedBackend {
  const wanted = forcedBackend() ?? pref;
  if (wanted === 'fuse-native') return { backend: createFuseNativeBackend() };
  const native = loadNativeBackend();
  if (!('unavailable' in native)) return { backend: native };
  if (wanted === 'native') {
    throw new StrataError('UNAVAILABLE', `Strata's libfuse 3 backend cannot be used: ${native.unavailable}; or set STRATA_BACKEND=fuse-native.`);
  }
  return {
    backend: createFuseNativeBackend(),
    warning: `Using fuse-native, which cannot set mtime alone or see callers' uid/gid, because Strata's libfuse 3 backend is unavailable: ${native.unavailable}.`,
  };
}
