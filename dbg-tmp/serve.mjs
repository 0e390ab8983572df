// ../../tmp/dbg/serve.ts
import { mkdirSync } from "node:fs";

// main/node/fuse/native-backend.ts
import { execFile } from "node:child_process";
import { existsSync as existsSync2 } from "node:fs";
import { stat } from "node:fs/promises";

// main/node/sys/load.ts
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
function projectRoot() {
  const start = dirname(fileURLToPath(import.meta.url));
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, "package.json"))) return dir;
    if (dirname(dir) === dir) throw new Error(`Strata: no package.json above ${start}`);
  }
}
function loadAddon(addon, file, needs = "") {
  const path = join(projectRoot(), "native", addon, "build", "Release", file);
  if (!existsSync(path)) {
    const requires = ["g++", "make", "python3", needs].filter(Boolean).join(", ");
    throw new Error(`Strata's native addon ${path} is missing: run npm install (building it needs ${requires})`);
  }
  return createRequire(import.meta.url)(path);
}
var cached;
function loadSyscalls() {
  cached ??= loadAddon("sys", "strata_sys.node");
  return cached;
}

// main/node/fuse/ops.ts
function errnoOf(err) {
  if (err && typeof err === "object") {
    const e = err;
    if (typeof e.errno === "number" && e.errno !== 0) return Math.abs(e.errno);
  }
  return 5;
}
var FsError = class extends Error {
  errno;
  constructor(errno, message) {
    super(message ?? `errno ${errno}`);
    this.errno = errno;
  }
};

// main/node/fuse/native-dispatch.ts
var ENOSYS = 38;
var context = (uid, gid, pid, umask) => ({ uid, gid, pid, umask });
var handlers = {
  getattr: (o, p, fh) => o.getattr(p, fh),
  readlink: (o, p) => o.readlink(p),
  mknod: (o, p, mode, rdev, ...c) => o.mknod(p, mode, rdev, context(...c)),
  mkdir: (o, p, mode, ...c) => o.mkdir(p, mode, context(...c)),
  unlink: (o, p) => o.unlink(p),
  rmdir: (o, p) => o.rmdir(p),
  symlink: (o, p, target, ...c) => o.symlink(target, p, context(...c)),
  rename: (o, p, to, flags) => o.rename(p, to, flags),
  link: (o, p, to) => o.link(p, to),
  chmod: (o, p, mode, fh) => o.chmod(p, mode, fh),
  chown: (o, p, uid, gid, fh) => o.chown(p, uid, gid, fh),
  truncate: (o, p, size, fh) => o.truncate(p, size, fh),
  utimens: (o, p, atime, mtime, fh) => o.utimens(p, atime, mtime, fh),
  open: (o, p, flags) => o.openHandle ? o.openHandle(p, flags) : o.open(p, flags),
  create: (o, p, mode, flags, ...c) => o.createHandle ? o.createHandle(p, mode, flags, context(...c)) : o.create(p, mode, flags, context(...c)),
  // The addon copies back the bytes of the view it gets.
  read: async (o, p, fh, buf, position) => buf.subarray(0, await o.read(p, fh, buf, buf.length, position)),
  write: (o, p, fh, data, position) => o.write(p, fh, data, data.length, position),
  statfs: (o, p) => o.statfs(p),
  flush: (o, p, fh) => o.flush(p, fh),
  release: (o, p, fh) => o.release(p, fh),
  fsync: (o, p, fh, datasync) => o.fsync(p, fh, datasync),
  fallocate: (o, p, fh, mode, offset, length) => o.fallocate ? o.fallocate(p, fh, mode, offset, length) : Promise.reject(new FsError(ENOSYS)),
  opendir: (o, p) => o.opendir(p),
  readdir: (o, p, fh) => o.readdir(p, fh),
  releasedir: (o, p, fh) => o.releasedir(p, fh),
  access: (o, p, mode) => o.access(p, mode),
  setxattr: (o, p, name, value, flags) => o.setxattr(p, name, value, flags),
  getxattr: (o, p, name) => o.getxattr(p, name),
  listxattr: (o, p) => o.listxattr(p),
  removexattr: (o, p, name) => o.removexattr(p, name)
};
function createDispatch(ops2, reply) {
  return (id, op, path, ...args) => {
    const handler = handlers[op];
    let pending;
    try {
      pending = handler ? handler(ops2, path, ...args) : Promise.reject(new FsError(ENOSYS));
    } catch (err) {
      pending = Promise.reject(err);
    }
    pending.then(
      // Throws only if the value breaks the contract; the kernel has already been given EIO then.
      (value) => {
        try {
          reply(id, 0, value);
        } catch (err) {
          reportBadReply(op, path, err);
        }
      },
      (err) => reply(id, errnoOf(err))
    );
  };
}
function reportBadReply(op, path, err) {
  process.emitWarning(`FUSE ${op} ${path}: ${err.message} (the caller got EIO)`, { code: "STRATA_BAD_FUSE_REPLY" });
}

// main/node/fuse/native-options.ts
var escape = (value) => value.replace(/[\\,]/g, (c) => `\\${c}`);
function mountOptionString(o) {
  const opts = [`fsname=${escape(o.fsname)}`, `subtype=${escape(o.subtype)}`];
  if (o.allowOther) opts.push("allow_other");
  if (o.defaultPermissions) opts.push("default_permissions");
  return opts.join(",");
}
function nativeConfig(o) {
  return {
    attrTimeout: o.attrTimeout,
    entryTimeout: o.entryTimeout,
    negativeTimeout: o.negativeTimeout,
    kernelCache: o.kernelCache
  };
}

// main/node/fuse/native-backend.ts
var EBUSY = 16;
var ENOTDIR = 20;
var capabilities = {
  name: "native",
  callerContext: true,
  exactUtimens: true,
  createFlags: true,
  mknod: true,
  wideStat: true,
  renameFlags: true
};
function loadNativeBackend() {
  if (!existsSync2("/dev/fuse")) return { unavailable: "/dev/fuse is missing (load the fuse kernel module)" };
  try {
    return new NativeBackend(loadAddon("fuse", "strata_fuse.node", "libfuse3-dev, pkg-config"));
  } catch (err) {
    return { unavailable: err.message };
  }
}
var NativeBackend = class {
  constructor(addon) {
    this.addon = addon;
  }
  addon;
  capabilities = capabilities;
  async mount(mountpoint, ops2, options) {
    if (!(await stat(mountpoint)).isDirectory()) throw new FsError(ENOTDIR, `${mountpoint} is not a directory`);
    const dispatch = createDispatch(ops2, this.addon.reply);
    return new Promise((resolve, reject) => {
      let mounted;
      const native = new this.addon.Mount(mountpoint, mountOptionString(options), nativeConfig(options), dispatch, (kind, code) => {
        if (kind === "ready") {
          mounted = new LiveMount(mountpoint, native);
          resolve(mounted);
        } else if (mounted) {
          mounted.loopEnded();
        } else {
          const reason = code ? ` (errno ${code})` : "";
          native.destroy().finally(() => reject(new Error(`FUSE mount on ${mountpoint} failed${reason}; libfuse printed why on stderr`)));
        }
      });
    });
  }
};
var LiveMount = class {
  constructor(mountpoint, native) {
    this.mountpoint = mountpoint;
    this.native = native;
  }
  mountpoint;
  native;
  destroyed;
  loopEnded() {
    this.destroyed ??= this.native.destroy();
  }
  async unmount() {
    if (!this.destroyed) {
      try {
        await this.native.unmount();
      } catch (err) {
        if (err.code !== "EPERM") throw err;
        await fusermountUnmount(this.mountpoint);
      }
      this.loopEnded();
    }
    await this.destroyed;
  }
  invalidate(path) {
    this.native.invalidate(path).catch(() => {
    });
  }
};
function fusermountUnmount(mountpoint) {
  return new Promise((resolve, reject) => {
    execFile("fusermount3", ["-u", "--", mountpoint], (err, _stdout, stderr) => {
      if (!err) resolve();
      else if (/busy/i.test(stderr)) reject(new FsError(EBUSY, `${mountpoint} is busy`));
      else reject(new Error(`fusermount3 -u ${mountpoint} failed: ${stderr.trim() || err.message}`));
    });
  });
}

// test/unit/fuse/passthrough-ops.ts
import { constants } from "node:fs";
import { access, chmod, link, lchown, lstat, mkdir, open, readdir, readlink, rename, rmdir, symlink, truncate, unlink } from "node:fs/promises";
import { join as join2 } from "node:path";
var EBADF = 9;
function toFuseStat(st) {
  return {
    dev: st.dev,
    ino: st.ino,
    mode: Number(st.mode),
    nlink: Number(st.nlink),
    uid: Number(st.uid),
    gid: Number(st.gid),
    rdev: st.rdev,
    size: st.size,
    blksize: Number(st.blksize),
    blocks: st.blocks,
    atimeNs: st.atimeNs,
    mtimeNs: st.mtimeNs,
    ctimeNs: st.ctimeNs
  };
}
function passthroughOps(root, { directIo = false } = {}) {
  const sys = loadSyscalls();
  const real = (path) => join2(root, path);
  const files = /* @__PURE__ */ new Map();
  const dirs = /* @__PURE__ */ new Set();
  let nextDir = 1;
  const file = (fh) => {
    const handle = files.get(fh);
    if (!handle) throw new FsError(EBADF);
    return handle;
  };
  const own = (path, ctx) => ctx ? lchown(real(path), ctx.uid, ctx.gid) : void 0;
  const openFile = async (path, flags, mode) => {
    const handle = await open(real(path), flags, mode);
    files.set(handle.fd, handle);
    return handle.fd;
  };
  const ops2 = {
    getattr: async (path, fh) => toFuseStat(fh === void 0 ? await lstat(real(path), { bigint: true }) : await file(fh).stat({ bigint: true })),
    readlink: (path) => readlink(real(path)),
    mknod: async (path, mode, rdev, ctx) => {
      await sys.mknod(real(path), mode, rdev);
      await own(path, ctx);
    },
    mkdir: async (path, mode, ctx) => {
      await mkdir(real(path), mode);
      await own(path, ctx);
    },
    unlink: (path) => unlink(real(path)),
    rmdir: (path) => rmdir(real(path)),
    symlink: async (target, path, ctx) => {
      await symlink(target, real(path));
      await own(path, ctx);
    },
    rename: (from, to, flags) => flags ? sys.renameat2(real(from), real(to), flags) : rename(real(from), real(to)),
    link: (from, to) => link(real(from), real(to)),
    chmod: (path, mode, fh) => fh === void 0 ? chmod(real(path), mode) : file(fh).chmod(mode),
    chown: (path, uid, gid, fh) => fh === void 0 ? lchown(real(path), uid, gid) : file(fh).chown(uid, gid),
    truncate: (path, size, fh) => fh === void 0 ? truncate(real(path), Number(size)) : file(fh).truncate(Number(size)),
    utimens: (path, atime, mtime, fh) => fh === void 0 ? sys.utimensat(real(path), atime, mtime, false) : sys.futimens(fh, atime, mtime),
    open: (path, flags) => openFile(path, flags),
    create: async (path, mode, flags, ctx) => {
      const fh = await openFile(path, (flags ?? constants.O_RDWR) | constants.O_CREAT, mode);
      await own(path, ctx);
      return fh;
    },
    read: async (_path, fh, buf, length, position) => (await file(fh).read(buf, 0, length, position)).bytesRead,
    write: async (_path, fh, buf, length, position) => (await file(fh).write(buf, 0, length, position)).bytesWritten,
    flush: async () => {
    },
    release: async (_path, fh) => {
      await file(fh).close();
      files.delete(fh);
    },
    fsync: (_path, fh, datasync) => datasync ? file(fh).datasync() : file(fh).sync(),
    fallocate: (_path, fh, mode, offset, length) => sys.fallocate(fh, mode, offset, length),
    opendir: async (path) => {
      await access(real(path));
      dirs.add(nextDir);
      return nextDir++;
    },
    readdir: async (path) => {
      const names = await readdir(real(path));
      return Promise.all(names.map(async (name) => ({ name, stat: toFuseStat(await lstat(join2(real(path), name), { bigint: true })) })));
    },
    releasedir: async (_path, fh) => {
      dirs.delete(fh);
    },
    statfs: async (path) => {
      const v = await sys.statvfs(real(path));
      return { bsize: v.bsize, frsize: v.frsize, blocks: v.blocks, bfree: v.bfree, bavail: v.bavail, files: v.files, ffree: v.ffree, favail: v.favail, namemax: v.namemax };
    },
    access: (path, mode) => access(real(path), mode),
    setxattr: (path, name, value, flags) => sys.lsetxattr(real(path), name, value, flags),
    getxattr: (path, name) => sys.lgetxattr(real(path), name),
    listxattr: (path) => sys.llistxattr(real(path)),
    removexattr: (path, name) => sys.lremovexattr(real(path), name)
  };
  if (directIo) {
    ops2.openHandle = async (path, flags) => {
      const fh = await ops2.open(path, flags);
      return { fh, fd: fh };
    };
    ops2.createHandle = async (path, mode, flags, ctx) => {
      const fh = await ops2.create(path, mode, flags, ctx);
      return { fh, fd: fh };
    };
  }
  return ops2;
}

// ../../tmp/dbg/serve.ts
var b = loadNativeBackend();
if ("unavailable" in b) throw new Error(b.unavailable);
mkdirSync("/tmp/strata-native-dbg/branch", { recursive: true });
mkdirSync("/tmp/strata-native-dbg/mnt", { recursive: true });
var ops = passthroughOps("/tmp/strata-native-dbg/branch");
var traced = {};
for (const [k, fn] of Object.entries(ops)) traced[k] = async (...a) => {
  try {
    const r = await fn(...a);
    console.log(k, a.slice(0, 3).map(String), "->", typeof r === "object" ? "" : r);
    return r;
  } catch (e) {
    console.log(k, a.slice(0, 3).map(String), "ERR", e.code ?? e.errno, e.message);
    throw e;
  }
};
var fs = await b.mount("/tmp/strata-native-dbg/mnt", traced, { fsname: "dbg", subtype: "strata", attrTimeout: 1, entryTimeout: 1, negativeTimeout: 0, kernelCache: false, allowOther: false, defaultPermissions: false });
console.log("mounted");
process.on("SIGINT", async () => {
  await fs.unmount();
  console.log("unmounted");
});
