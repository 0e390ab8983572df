/** Runs `fn` once `ms` after the last call: events arrive in bursts, one re-fetch per burst is enough. */
export function debounce(fn: () => void, ms: number): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return () => {
    clearTimeout(timer);
    timer = setTimeout(fn, ms);
  };
}
