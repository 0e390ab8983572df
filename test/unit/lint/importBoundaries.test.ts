// The may-import rule on the cases ARCHITECTURE.md names, through ESLint's own RuleTester.
import { RuleTester } from 'eslint';
import { join } from 'node:path';
import svelteParser from 'svelte-eslint-parser';
import tseslint from 'typescript-eslint';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs module without type declarations
import { checkLayering, importBoundaries } from '../../../lint/importBoundaries.mjs';

RuleTester.describe = describe;
RuleTester.it = it;
RuleTester.itOnly = it.only;

const root = join(import.meta.dirname, '../../..');
const at = (file: string, code: string) => ({ filename: join(root, file), code });
const tester = new RuleTester({ languageOptions: { parser: tseslint.parser } });

tester.run('import-boundaries', importBoundaries, {
  valid: [
    at('main/common/policies/registry.ts', "import { StrataError } from '../errors.ts';"),
    at('main/node/worker/main.ts', "import { mountAt } from '../mounts/mountTable.ts'; import { join } from 'node:path';"),
    at('main/node/mounts/manager.ts', "import { controlRequest } from '../control/controlClient.ts';"),
    at('main/node/cli/main.ts', "import pkg from '../../../package.json';"),
    at('main/electron/main.ts', "import { app } from 'electron'; import { createService } from '../node/service/createService.ts';"),
    at('renderer/src/lib/api.ts', "import type { Channel } from '../../../main/common/api.ts'; import { mount } from 'svelte';"),
    at('test/unit/any.test.ts', "import { readFile } from 'node:fs/promises'; import '../../main/node/worker/main.ts';"),
  ],
  invalid: [
    { ...at('main/common/branch.ts', "import 'node:fs';"), errors: [{ message: /main\/common may not import node:fs \(a Node built-in\)/ }] },
    { ...at('main/common/branch.ts', "export { x } from '../node/sys/load.ts';"), errors: [{ message: /main\/common may not import main\/node\/sys/ }] },
    { ...at('main/common/branch.ts', "import type { Readable } from 'stream';"), errors: 1 },
    {
      ...at('main/node/mounts/stale.ts', "import { log } from '../worker/log.ts';"),
      errors: [{ message: /main\/node\/mounts may not import main\/node\/worker/ }],
    },
    { ...at('main/node/mounts/manager.ts', "const g = await import('../tracker/guardHooks.ts');"), errors: 1 },
    { ...at('main/node/sys/syscalls.ts', "import type { FuseOps } from '../fuse/ops.ts';"), errors: 1 },
    { ...at('main/node/union/core.ts', "import { app } from 'electron';"), errors: [{ message: /may not import electron \(Electron\)/ }] },
    { ...at('renderer/src/lib/api.ts', "import { readFile } from 'node:fs';"), errors: 1 },
    { ...at('renderer/src/lib/api.ts', "import { x } from '../../../main/node/sys/load.ts';"), errors: 1 },
    { ...at('main/node/newFolder/thing.ts', 'export const x = 1;'), errors: [{ message: /main\/node\/newFolder is not in the may-import table/ }] },
  ],
});

new RuleTester({ languageOptions: { parser: svelteParser, parserOptions: { parser: tseslint.parser } } }).run(
  'import-boundaries in .svelte',
  importBoundaries,
  {
    valid: [at('renderer/src/App.svelte', '<script lang="ts">import logo from \'./assets/icon.svg\';</script>')],
    invalid: [
      {
        ...at('renderer/src/App.svelte', '<script lang="ts">import logo from \'../../main/electron/assets/icon.svg\';</script>'),
        errors: [{ message: /renderer\/src may not import main\/electron/ }],
      },
    ],
  },
);

describe('the layering table', () => {
  it('refuses a row that lists a folder declared below it (a cycle)', () => {
    expect(() =>
      checkLayering([
        ['a', ['b']],
        ['b', ['a']],
      ]),
    ).toThrow(/a lists b, which is not a folder declared above it/);
    expect(() =>
      checkLayering([
        ['a', ['node']],
        ['b', ['a', 'node']],
      ]),
    ).not.toThrow();
  });
});
