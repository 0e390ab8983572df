/** `strata policies [--json]`: the create and copy-up policies with their one-line summaries. */
import { listCopyupPolicies, listCreatePolicies } from '../../common/policies/registry.ts';
import { expectPositionals, parseArgs } from './args.ts';
import { formatTable, printJson } from './output.ts';

export async function policiesCommand(argv: string[]): Promise<number> {
  const args = parseArgs(argv, { json: { kind: 'boolean' } }, 'policies');
  expectPositionals(args, [], 'policies');
  const create = listCreatePolicies().map(({ name, family, summary, pathPreserving }) => ({ name, family, pathPreserving, summary }));
  const copyup = listCopyupPolicies().map(({ name, summary }) => ({ name, summary }));
  if (args.booleans.json) {
    printJson({ create, copyup });
    return 0;
  }
  process.stdout.write('Create policies (--create, --func FN=POLICY):\n');
  process.stdout.write(formatTable(['NAME', 'FAMILY', 'SUMMARY'], create.map((p) => [p.name, p.family, p.summary])));
  process.stdout.write('\nCopy-up policies (--copyup):\n');
  process.stdout.write(formatTable(['NAME', 'SUMMARY'], copyup.map((p) => [p.name, p.summary])));
  return 0;
}
