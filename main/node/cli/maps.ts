import { StrataError } from '../../common/errors.ts';
// Placeholder until the tracker's command lands here.
export async function mapsCommand(_argv: string[]): Promise<number> { throw new StrataError('UNAVAILABLE', 'strata maps is not part of this build yet: update Strata.'); }
