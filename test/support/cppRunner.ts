/**
 * A rule kept in both TypeScript and C++ is checked against one file of vectors: its C++ runner
 * (native/fuse/test/*_test.cc) is compiled here with g++ and fed one case a line on stdin; it prints each
 * failure and then "N passed, M failed", and exits 1 when any failed.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

export const repoRoot = join(import.meta.dirname, '../..');

interface CppRunner {
  run(lines: string[]): Promise<{ code: number | null; out: string }>;
  remove(): Promise<void>;
}

/** `source`: the runner, relative to the repository; it includes from native/fuse/src and native/common. */
async function compileRunner(source: string): Promise<CppRunner> {
  const dir = await mkdtemp(join(tmpdir(), 'strata-cpp-runner-'));
  const binary = join(dir, basename(source, '.cc'));
  await promisify(execFile)('g++', [
    '-std=c++17',
    '-Wall',
    '-Wextra',
    '-Werror',
    '-I',
    join(repoRoot, 'native/fuse/src'),
    '-I',
    join(repoRoot, 'native/common'),
    join(repoRoot, source),
    '-o',
    binary,
  ]);
  return {
    run: (lines) =>
      new Promise((resolve, reject) => {
        const child = spawn(binary, [], { stdio: ['pipe', 'pipe', 'inherit'] });
        let out = '';
        child.stdout.on('data', (d) => (out += d));
        child.on('error', reject);
        child.on('close', (code) => resolve({ code, out }));
        child.stdin.end(lines.map((l) => l + '\n').join(''));
      }),
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}

/**
 * The C++ half of a vectors test: the runner passes every case (`lines`), and reports `wrong`, a case
 * whose expectation was changed, standing in for a wrong rule, so the runner is seen to be able to fail.
 */
export function describeCppRunner(title: string, source: string, lines: string[], wrong: { name: string; line: string }): void {
  describe(title, () => {
    let runner: CppRunner;
    beforeAll(async () => {
      runner = await compileRunner(source);
    });
    afterAll(() => runner.remove());

    it('answers every case', async () => {
      const { code, out } = await runner.run(lines);
      expect(out).toBe(`${lines.length} passed, 0 failed\n`);
      expect(code).toBe(0);
    });

    it('reports a case it answers differently', async () => {
      const { code, out } = await runner.run([wrong.line]);
      expect(out).toContain(`FAIL ${wrong.name}`);
      expect(out).toContain('0 passed, 1 failed');
      expect(code).toBe(1);
    });
  });
}
