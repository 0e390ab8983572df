/** `strata policies [--json]`: the create and copy-up policies with their one-line summaries. */
import { listCopyupPolicies, listCreatePolicies } from '../../common/policies/registry.ts';
import { expectPositionals, parseArgs } from './args.ts';
import { formatTable, printJson } from './output.ts';

export async function policiesCommand(argv: string[]): Promise<number> {
  const args = parseArgs(argv, { json: { kind: 'boolean' } }, 'policies');
  expectPositionals(args, [], 'policies');
  const create = listCreatePolicies();
  const copyup = listCopyupPolicies();
  if (args.booleans.json) {
    printJson({ create, copyup });
    return 0;
  }
  process.stdout.write('Create policies (--create, --func FN=POLICY, --moveonenospc):\n');
  process.stdout.write(
    formatTable(
      ['POLICY', 'FAMILY', 'SUMMARY'],
      create.map((p) => [p.form, p.family, p.summary]),
    ),
  );
  process.stdout.write('\nCopy-up policies (--copyup):\n');
  process.stdout.write(
    formatTable(
      ['POLICY', 'SUMMARY'],
      copyup.map((p) => [p.form, p.summary]),
    ),
  );
  return 0;
}
