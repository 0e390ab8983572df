/**
 * Which branches a mergerfs create policy chooses among. mergerfs runs create policies on the parent of
 * the new entry, so "path exists" (ep*) means the parent exists; msp* climb to the nearest ancestor that
 * some branch can serve, and the engine then clones the missing directories onto the chosen branch.
 */
import { existsNeed, parentOf, screen, type Screened } from '../filters.ts';
import type { PolicyInput } from '../types.ts';

/** 'any': no path test (ff, mfs, …); 'parent': ep*; 'ancestors': msp*. */
export type Scope = 'any' | 'parent' | 'ancestors';

export interface Gathered extends Screened {
  /** The directory the candidates were tested for (the parent, or the ancestor msp* settled on). */
  at: string;
  note?: string;
}

export function gather(input: PolicyInput, scope: Scope): Gathered {
  const parent = parentOf(input.path);
  if (scope === 'any') return { ...screen(input), at: parent };
  if (scope === 'parent') return { ...screen(input, existsNeed(input, parent, `parent ${parent}`)), at: parent };
  for (let at = parent; ; at = parentOf(at)) {
    const sc = screen(input, existsNeed(input, at, at === parent ? `parent ${parent}` : `ancestor ${at}`));
    // mergerfs stops at '/' and reports that level's errors; '/' exists on every branch.
    if (sc.candidates.length > 0 || at === '/') {
      const note = at === parent ? undefined : `no eligible branch has ${parent}; chose among those with its ancestor ${at}`;
      return { ...sc, at, ...(note ? { note } : {}) };
    }
  }
}
