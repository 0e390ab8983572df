/** The mapped-files snapshot, refreshed (debounced) on every tracker change. */
import { call } from '../api.ts';
import { LiveQuery } from './liveQuery.svelte.ts';

export const maps = new LiveQuery(() => call('maps:snapshot', {}), 'maps:changed', 200);
