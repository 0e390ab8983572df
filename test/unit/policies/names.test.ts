// The policy names are declared once (main/common/policies/names.ts) and the code derives from them, with
// the types checking every table. What types cannot check is prose and test data: these tests do.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { COPYUP_POLICY_NAMES } from '../../../main/common/policies/names.ts';
import { listCopyupPolicies, listCreatePolicies } from '../../../main/common/policies/registry.ts';
import { helpText } from '../../../main/node/cli/help.ts';
import { CATALOG } from '../../../renderer/src/test/fixtures.ts';

const root = join(import.meta.dirname, '../../..');
const readme = readFileSync(join(root, 'README.md'), 'utf8');

describe('policy names outside the code', () => {
  it("README's policy table lists every create policy, in the catalog's order, and nothing else", () => {
    const rows = [...readme.matchAll(/^\| `([^`]+)`[^|]*\| (aufs|mergerfs) \|/gm)].map((m) => `${m[2]} ${m[1]}`);
    expect(rows).toEqual(listCreatePolicies().map((p) => `${p.family} ${p.form}`));
  });

  it("README's copy-up paragraph names every copy-up policy and no other", () => {
    const paragraph = /^Copy-up policies \(aufs\):[^]*?\n\n/m.exec(readme)?.[0] ?? '';
    const named = [...paragraph.matchAll(/`(\w+)`(?: \(default\))?:/g)].map((m) => m[1]);
    expect(named).toEqual([...COPYUP_POLICY_NAMES]);
  });

  it('`strata help mount` offers every copy-up policy', () => {
    expect(helpText('mount')).toContain(`one of ${COPYUP_POLICY_NAMES.join(', ')} (default tdp)`);
  });

  it("the component tests' catalog holds only real policies, in their real forms", () => {
    const real = new Set([...listCreatePolicies(), ...listCopyupPolicies()].map((p) => `${p.family} ${p.name} ${p.form}`));
    for (const p of [...CATALOG.create, ...CATALOG.copyup]) expect(real).toContain(`${p.family} ${p.name} ${p.form}`);
  });

  it('the copy-up list the app gets follows the declared names', () => {
    expect(listCopyupPolicies().map((p) => p.name)).toEqual([...COPYUP_POLICY_NAMES]);
  });
});
