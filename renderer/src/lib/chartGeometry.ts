/** SVG geometry for the activity charts: no chart library, just scaled polylines. */

/**
 * A round upper bound (1, 2 or 5 × 10^n) so axis labels read well; never 0. `binary` rounds in the unit
 * formatSize shows (KiB, MiB, GiB, ...), so a byte axis reads 100 GiB rather than 93.1 GiB.
 */
export function niceMax(values: readonly number[], binary = false): number {
  const max = Math.max(0, ...values);
  if (max <= 0) return 1;
  const unit = binary ? 1024 ** Math.max(0, Math.floor(Math.log(max) / Math.log(1024))) : 1;
  const scaled = max / unit;
  const magnitude = 10 ** Math.floor(Math.log10(scaled));
  const step = [1, 2, 5, 10].find((s) => s * magnitude >= scaled) ?? 10;
  return step * magnitude * unit;
}

/**
 * Points for an SVG polyline: the newest value at the right edge, one slot per sample of a window of
 * `capacity` samples, so the line scrolls left as time passes.
 */
export function polylinePoints(values: readonly (number | null)[], capacity: number, width: number, height: number, max: number): string {
  const step = capacity > 1 ? width / (capacity - 1) : width;
  const offset = capacity - values.length;
  return values
    .map((v, i) => (v === null ? null : `${((offset + i) * step).toFixed(1)},${(height - (Math.min(v, max) / max) * height).toFixed(1)}`))
    .filter((p): p is string => p !== null)
    .join(' ');
}
