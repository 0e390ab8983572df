/** Union inode numbers (union/inodes.ts), kept by the engine alone or with a backend that numbers too. */
import { describe, expect, it } from 'vitest';
import { InodeTable } from '../../../main/node/union/inodes.ts';

const obj = (ino: number, dev = 5) => ({ dev: BigInt(dev), ino: BigInt(ino) });

describe('InodeTable', () => {
  it('numbers objects in order from 2 and tells each assignment, the root always 1', () => {
    const told: bigint[] = [];
    const t = new InodeTable((_d, _i, ino) => told.push(ino));
    expect([t.ino(obj(100)), t.ino(obj(7)), t.ino(obj(100)), t.root(obj(2))]).toEqual([2n, 3n, 2n, 1n]);
    expect(told).toEqual([2n, 3n, 1n]);
  });

  it("takes a backend's numbers as they are, asking once per object", () => {
    const asked: bigint[] = [];
    const told: bigint[] = [];
    const t = new InodeTable(
      (_d, _i, ino) => told.push(ino),
      (_dev, branchIno) => {
        asked.push(branchIno);
        return branchIno + 1000n;
      },
    );
    expect([t.ino(obj(1)), t.ino(obj(2)), t.ino(obj(1))]).toEqual([1001n, 1002n, 1001n]);
    expect(asked).toEqual([1n, 2n]);
    expect(told).toEqual([]);
  });

  it('gives a copy the number of its original, even one only the backend had numbered', () => {
    const told: [bigint, bigint][] = [];
    const t = new InodeTable(
      (_d, branchIno, ino) => told.push([branchIno, ino]),
      (_dev, branchIno) => (branchIno === 1n ? 77n : undefined),
    );
    t.inherit(obj(1), obj(50, 6));
    expect(told).toEqual([[50n, 77n]]);
    expect(t.ino(obj(50, 6))).toBe(77n);
  });
});
