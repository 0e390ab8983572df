/** The union options `strata mount` and `strata set` share, from parsed flags to UnionOptionsInput. */
import type { UnionOptionsInput } from '../../common/unionConfig.ts';
import type { FlagSpec, ParsedArgs } from './args.ts';

export const UNION_FLAGS: FlagSpec = {
  branch: { kind: 'list', short: 'b' },
  name: { kind: 'string' },
  create: { kind: 'string' },
  copyup: { kind: 'string' },
  minfree: { kind: 'string' },
  func: { kind: 'list' },
  moveonenospc: { kind: 'string' },
  passthrough: { kind: 'string' },
};

export function unionOptionsFrom(args: ParsedArgs): UnionOptionsInput {
  return {
    name: args.strings.name,
    create: args.strings.create,
    copyup: args.strings.copyup,
    minfree: args.strings.minfree,
    funcs: args.lists.func,
    moveOnEnospc: args.strings.moveonenospc,
    passthrough: args.strings.passthrough,
  };
}
