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
#pragma once
#include <string>

#include "dir_attrs.h"

namespace strata {

class Mount;

// Publishes the union directory `dir` from its parent's publication. True when it did; false when `dir`
// is published already, its parent is not, it is not a directory there, or anything fails (JS
// resolves it then).
bool PublishNatively(Mount& mount, const std::string& dir);

}  // namespace strata
