// The ops by what they act on, on union paths (requests.cc names the nodes): attributes and xattrs (attr_ops.cc), names
// and directories (entry_ops.cc), open files (file_ops.cc). Each runs natively where it can, else becomes one Call to
// JS.
#pragma once
#include <fuse.h>

#include <cstdint>
#include <memory>
#include <string>

#include "beneath.h"

namespace strata::op {

// `own_inode` (may be null): set when the name must be its own kernel inode (nodes.h).
int GetAttr(const char* path, struct stat* st, struct fuse_file_info* fi, bool* own_inode);
// GetAttr of a name, as far as it is answered without JS: 0, -errno, or 1 where JS would answer.
int GetAttrNatively(const char* path, struct stat* st, bool* own_inode);
int ChMod(const char* path, mode_t mode, struct fuse_file_info* fi);
// Drops what a write or truncation by the caller, who lacks CAP_FSETID, drops on a local filesystem:
// a regular file's set-user-ID bit, and its set-group-ID bit if the group may execute it or the caller
// is outside its group (set_ids.cc). `st`: the file's attributes, as just read. 1 if the mode changed,
// else 0 or -errno.
int DropSetIds(const char* path, struct fuse_file_info* fi, const struct stat& st);
// The set-group-ID bit of `path`, when it has one: 0 or -errno.
int DropSetGid(const char* path);
int ChOwn(const char* path, uid_t uid, gid_t gid, struct fuse_file_info* fi);
int Truncate(const char* path, off_t size, struct fuse_file_info* fi);
int UTimeNs(const char* path, const struct timespec tv[2], struct fuse_file_info* fi);
int SetXattr(const char* path, const char* name, const char* value, size_t size, int flags);
// FS_IOC_GETFLAGS and FS_IOC_FSGETXATTR (lsattr) read the inode flags of the served copy; their SET
// twins (chattr) set them on it, copied up first as a chmod copies it. `arg` as ioctl(2) takes it.
int FileFlags(const char* path, unsigned int cmd, void* arg, bool set);
int GetXattr(const char* path, const char* name, char* value, size_t size);
int ListXattr(const char* path, char* list, size_t size);
int RemoveXattr(const char* path, const char* name);
int ReadLink(const char* path, char* buf, size_t size);
int MkNod(const char* path, mode_t mode, dev_t rdev);
int MkDir(const char* path, mode_t mode);
// The copy serving `path`, opened O_PATH without following a symlink, for a node to keep once the name
// goes (Nodes::Keep); null where the name is JS's to locate. `*writable`: its branch is written in place.
std::shared_ptr<Fd> ServedFile(const char* path, bool* writable);
int Unlink(const char* path);
int RmDir(const char* path);
int SymLink(const char* target, const char* path);
int Rename(const char* from, const char* to, unsigned int flags);
// -EPERM where moving `from` away would be refused for its flags or its directory's (NamesFixed,
// EntryFixed: new_names.h), else 0. Asked before the open file a rename replaces is hidden
// (Served::Rename), since a rename refused after that would have lost the name.
int MoveRefused(const char* from);
int Link(const char* from, const char* to);
// The open `node` goes by `now`, another of its names, where it went by `gone` (OpenFiles::Repath):
// in the engine's handle table too, before anything is asked of it later.
void Repath(uint64_t node, const std::string& gone, const std::string& now);
int StatFs(const char* path, struct statvfs* st);
int OpenDir(const char* path, struct fuse_file_info* fi);
int ReadDir(const char* path, void* buf, fuse_fill_dir_t filler, off_t offset, struct fuse_file_info* fi,
            enum fuse_readdir_flags flags);
int Access(const char* path, int mask);
int Open(const char* path, struct fuse_file_info* fi);
int Create(const char* path, mode_t mode, struct fuse_file_info* fi);
// O_TMPFILE: a file with no name on its branch, held by `fi`'s handle under `path`, the hidden name the
// union serves it by. Never the engine's: -EOPNOTSUPP where it would place it.
int TmpFile(const char* path, mode_t mode, struct fuse_file_info* fi);
int Read(const char* path, char* buf, size_t size, off_t off, struct fuse_file_info* fi);
int WriteBuf(const char* path, struct fuse_bufvec* in, off_t off, struct fuse_file_info* fi);
ssize_t CopyFileRange(const char* path_in, struct fuse_file_info* fi_in, off_t off_in, const char* path_out,
                      struct fuse_file_info* fi_out, off_t off_out, size_t size, int flags);
int Flush(const char* path, struct fuse_file_info* fi);
void Release(const char* path, struct fuse_file_info* fi);
int FSync(const char* path, int datasync, struct fuse_file_info* fi);
// `path` nullptr: a directory no name leads to any more.
int FSyncDir(const char* path, int datasync);
int FAllocate(const char* path, int mode, off_t offset, off_t length, struct fuse_file_info* fi);
// SEEK_DATA or SEEK_HOLE: the offset found, or -errno.
off_t LSeek(const char* path, off_t offset, int whence, struct fuse_file_info* fi);

}  // namespace strata::op
