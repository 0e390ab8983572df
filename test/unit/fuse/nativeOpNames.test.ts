/**
 * The FUSE ops cross from C++ to JS by name: each `Run("name", ...)` (or `Call::Post(mount, "name", ...)`
 * and `Call::Hold`, for one nobody waits on) in native/fuse/src must have a
 * handler in nativeDispatch.ts (the one list, typed against FuseOps), and every handler a caller.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DISPATCHED_OPS } from '../../../main/node/fuse/nativeDispatch.ts';

const src = join(import.meta.dirname, '../../../native/fuse/src');

function namesRunByTheAddon(): string[] {
  const names = new Set<string>();
  for (const file of readdirSync(src).filter((f) => f.endsWith('.cc'))) {
    for (const m of readFileSync(join(src, file), 'utf8').matchAll(/\b(?:Run\(|Call::(?:Post|Hold)\)?\(\w+,)\s*"([A-Za-z_]+)"/g)) names.add(m[1]);
  }
  return [...names].sort();
}

describe('op names between native/fuse and nativeDispatch.ts', () => {
  it('are the same list on both sides', () => {
    expect(namesRunByTheAddon()).toEqual([...DISPATCHED_OPS].sort());
  });
});
