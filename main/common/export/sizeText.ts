/** Bytes as the shortest exact size text parseSize reads back: 4294967296 → 4G, 1000 → 1000. */
const UNITS = [['T', 2 ** 40], ['G', 2 ** 30], ['M', 2 ** 20], ['K', 2 ** 10]] as const;

export function formatSize(bytes: number): string {
  for (const [unit, size] of UNITS) {
    if (bytes >= size && bytes % size === 0) return `${bytes / size}${unit}`;
  }
  return String(bytes);
}
