import { randomBytes } from 'node:crypto';
import { expect, it } from 'vitest';
it('toEqual on 4 MiB buffers', () => {
  const a = randomBytes(4 << 20); const b = Buffer.from(a);
  const t0 = performance.now(); expect(b).toEqual(a); console.log(`toEqual 4 MiB: ${(performance.now() - t0).toFixed(0)} ms`);
}, 300_000);
