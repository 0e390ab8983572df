"""A small fsx: random writes, reads, mapped writes and reads, truncations, fsyncs and reopens on one file
through two descriptors, each checked against a model of what the file must hold. Prints "ok N" or exits
1 naming the first operation whose result differs (with the seed, to replay it).

usage: fsx.py PATH SEED OPS
"""
import mmap
import os
import random
import sys

path, seed, ops = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rnd = random.Random(seed)
MAX_SIZE = 256 * 1024
MAX_IO = 16 * 1024
model = bytearray(open(path, 'rb').read())
fds = [os.open(path, os.O_RDWR), os.open(path, os.O_RDWR)]


def fail(i, what, off, expected, got):
    at = next((k for k in range(min(len(expected), len(got))) if expected[k] != got[k]), min(len(expected), len(got)))
    sys.exit(f'fsx {path} seed {seed}: op {i} {what} at {off}: differs at byte {off + at} '
             f'(expected {len(expected)} bytes, got {len(got)})')


def put(off, data):
    if off > len(model):
        model.extend(bytes(off - len(model)))
    model[off:off + len(data)] = data


for i in range(ops):
    op = rnd.choice(('write', 'write', 'read', 'read', 'mapwrite', 'mapread', 'truncate', 'fsync', 'reopen'))
    fd = rnd.choice(fds)
    size = len(model)
    if op == 'write':
        off, data = rnd.randrange(MAX_SIZE), rnd.randbytes(rnd.randrange(1, MAX_IO))
        if os.pwrite(fd, data, off) != len(data):
            sys.exit(f'fsx {path} seed {seed}: op {i} short write')
        put(off, data)
    elif op == 'read' and size:
        off = rnd.randrange(size)
        n = rnd.randrange(1, MAX_IO)
        got = os.pread(fd, n, off)
        if got != model[off:off + n]:
            fail(i, 'read', off, bytes(model[off:off + n]), got)
    elif op == 'mapwrite' and size:
        off = rnd.randrange(size)
        data = rnd.randbytes(min(rnd.randrange(1, MAX_IO), size - off))
        with mmap.mmap(fd, size) as m:
            m[off:off + len(data)] = data
            if rnd.random() < 0.5:
                m.flush()
        put(off, data)
    elif op == 'mapread' and size:
        off = rnd.randrange(size)
        n = min(rnd.randrange(1, MAX_IO), size - off)
        with mmap.mmap(fd, size, prot=mmap.PROT_READ) as m:
            got = m[off:off + n]
        if got != model[off:off + n]:
            fail(i, 'mapread', off, bytes(model[off:off + n]), got)
    elif op == 'truncate':
        new = rnd.randrange(MAX_SIZE)
        os.ftruncate(fd, new)
        del model[new:]
        model.extend(bytes(new - len(model)))
    elif op == 'fsync':
        os.fsync(fd)
    elif op == 'reopen':
        k = fds.index(fd)
        os.close(fd)
        fds[k] = os.open(path, os.O_RDWR)

for fd in fds:
    os.close(fd)
with open(path, 'rb') as f:
    whole = f.read()
if whole != model:
    fail(ops, 'final read', 0, bytes(model), whole)
print('ok', ops)
