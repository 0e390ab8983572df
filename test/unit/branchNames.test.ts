import { describe, expect, it } from 'vitest';
import { branchName, humanBranchRefs } from '../../main/common/branchNames.ts';

describe('branch names for people', () => {
  it('numbers branches from 1, the top one said as such', () => {
    expect(branchName(0)).toBe('branch 1 (top)');
    expect(branchName(2)).toBe('branch 3');
    expect(humanBranchRefs('b0 has less free space than b1; b12 is ro')).toBe('branch 1 (top) has less free space than branch 2; branch 13 is ro');
    expect(humanBranchRefs('bob and b2x stay')).toBe('bob and b2x stay');
  });
});
