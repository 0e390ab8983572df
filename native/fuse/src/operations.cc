#include "operations.h"

#include "mount.h"
#include "ops.h"

namespace strata {
namespace {

void* Init(struct fuse_conn_info* conn, struct fuse_config* cfg) {
  Mount* mount = &Mount::Current();
  mount->Configure(conn, cfg);
  return mount;
}

struct fuse_operations MakeOperations() {
  struct fuse_operations ops = {};
  ops.getattr = op::GetAttr;
  ops.readlink = op::ReadLink;
  ops.mknod = op::MkNod;
  ops.mkdir = op::MkDir;
  ops.unlink = op::Unlink;
  ops.rmdir = op::RmDir;
  ops.symlink = op::SymLink;
  ops.rename = op::Rename;
  ops.link = op::Link;
  ops.chmod = op::ChMod;
  ops.chown = op::ChOwn;
  ops.truncate = op::Truncate;
  ops.open = op::Open;
  ops.read = op::Read;
  ops.write_buf = op::WriteBuf;
  ops.statfs = op::StatFs;
  ops.flush = op::Flush;
  ops.release = op::Release;
  ops.fsync = op::FSync;
  ops.setxattr = op::SetXattr;
  ops.getxattr = op::GetXattr;
  ops.listxattr = op::ListXattr;
  ops.removexattr = op::RemoveXattr;
  ops.opendir = op::OpenDir;
  ops.readdir = op::ReadDir;
  ops.releasedir = op::ReleaseDir;
  ops.init = Init;
  ops.access = op::Access;
  ops.create = op::Create;
  ops.utimens = op::UTimeNs;
  ops.fallocate = op::FAllocate;
  ops.copy_file_range = op::CopyFileRange;
  return ops;
}

}  // namespace

const struct fuse_operations kOperations = MakeOperations();

}  // namespace strata
