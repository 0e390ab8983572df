// Directories the FUSE threads publish themselves. A lookup of a name in a directory nobody has
// published yet used to wait for JS to resolve that directory (union/resolver.ts) before it could be
// answered: one trip to the JS thread per directory of a tree walk. Where the directory's parent is
// published, its copies follow from the parent's by the lookup rule (lookup_rule.h, the same rule the
// resolver runs), so it is resolved and published here, watched like any publication (invalidator.h).
//
// The engine must hold every published directory, since its own changes withdraw publications only
// through what it holds (Resolver.invalidate). It is told of this one by a held post (`publishedDir`,
// held_posts.h), so it holds it before anything asked of it later, and it adopts it only while this
// very publication stands (DirAttrs::Left), otherwise a change made meanwhile withdrew it. A publication
// made from a parent's that was withdrawn or replaced meanwhile is never made (DirAttrs::PutBelow).
//
// The root has no parent: once the engine has published it, it is published again here from every
// branch's root by the same rule (Resolver.lookupRoot), until a change the engine must see first drops
// it (DirAttrs::PutRoot). Otherwise everything would hang from the engine's one-second publication of
// the root, and the first request a second after it, on any name the kernel kept, would go to JS.
#pragma once
#include <string>

#include "dir_attrs.h"

namespace strata {

class Mount;

// Publishes the union directory `dir` from its parent's publication, the parent first from its own when
// that lapsed too, up to the nearest directory whose publication stands or the root. True when it did;
// false when `dir` is published already, no directory above it is (nor may the root be), it is not a
// directory there, or anything fails (JS resolves it then).
bool PublishNatively(Mount& mount, const std::string& dir);

// PublishNatively of the directory whose publication answers for `path`: the root's own for the root,
// else the parent's.
bool PublishAnswering(Mount& mount, const std::string& path);

// A directory's layers (DirAttrs::Layers), published here first when its publication lapsed.
DirLayers PublishedLayers(Mount& mount, const std::string& dir);

// DirAttrs::Locate, with the publication answering for `path` (PublishAnswering) made here first when it
// lapsed, as a lookup does (GetAttrNatively). The kernel keeps a name's entry for the whole entry
// timeout, which may outlast its directory's publication (a second): an open, a change or a removal of
// the name, or a change of the root itself, would go to JS otherwise.
int LocateServed(Mount& mount, const std::string& path, DirAttrs::Served* out, bool ask_below = false);

}  // namespace strata
