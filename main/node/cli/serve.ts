import { StrataError } from '../../common/errors.ts';
// Placeholder until the desktop helper's command lands here.
export async function serveCommand(_argv: string[]): Promise<number> { throw new StrataError('UNAVAILABLE', 'strata serve is not part of this build yet: update Strata.'); }
