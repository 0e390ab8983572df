/**
 * How people read branch numbers: 1 is the top branch (searched first), in the UI and in the CLI's human
 * output alike. Indexes in data (JSON, the control channel, policy results) stay 0-based.
 */

/** "branch 1 (top)", "branch 3". */
export function branchName(index: number): string {
  return `branch ${index + 1}${index === 0 ? ' (top)' : ''}`;
}

/** The number a person sees for a 0-based branch index. */
export function branchNumber(index: number): number {
  return index + 1;
}

/** Policy sentences name branches by index ("b0 is read-only"); people read "branch 1 (top) is read-only". */
export function humanBranchRefs(sentence: string): string {
  return sentence.replace(/\bb(\d+)\b/g, (_, n: string) => branchName(Number(n)));
}
