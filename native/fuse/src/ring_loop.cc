#include "ring_loop.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/sysinfo.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <string>

#include "device.h"
#include "kernel_abi.h"
#include "mount.h"
#include "requests.h"
#include "uring.h"

namespace strata {

namespace {

constexpr uint64_t kStopTag = 0;
constexpr uint64_t kEntryTag = 1;
// Room before the payload for the request's header and first argument, so that the three sit
// together as a /dev/fuse read would have them (requests.cc reads them so).
constexpr size_t kLead = 256;

// One ring entry: the headers and the payload buffer the kernel copies requests into and replies out
// of, and the reply the request being served has given.
class Entry : public ReplyTo {
 public:
  explicit Entry(size_t payload) : payload_size_(payload) {
    header_ = static_cast<abi::UringReqHeader*>(Map(sizeof(abi::UringReqHeader)));
    lead_ = Map(kLead + payload);
    iov_[0] = {header_, sizeof(abi::UringReqHeader)};
    iov_[1] = {Payload(), payload_size_};
  }
  ~Entry() {
    if (header_ != nullptr) munmap(header_, sizeof(abi::UringReqHeader));
    if (lead_ != nullptr) munmap(lead_, kLead + payload_size_);
  }
  bool ok() const { return header_ != nullptr && lead_ != nullptr; }

  // Queues the entry's next command: REGISTER the first time, then COMMIT_AND_FETCH of each reply.
  void Submit(Uring& ring, int dev, unsigned qid) {
    UringSqe* sqe = ring.Next();
    sqe->opcode = kOpUringCmd;
    sqe->fd = dev;
    sqe->user_data = kEntryTag;
    auto* cmd = reinterpret_cast<abi::UringCmdReq*>(sqe->cmd);
    cmd->qid = static_cast<uint16_t>(qid);
    if (commit_id_ == 0) {
      sqe->cmd_op = abi::kUringCmdRegister;
      sqe->addr = reinterpret_cast<uintptr_t>(iov_);
      sqe->len = 2;
    } else {
      sqe->cmd_op = abi::kUringCmdCommitAndFetch;
      cmd->commit_id = commit_id_;
    }
    ring.Push();
  }

  // Serves the request the kernel put in the entry; its reply is in the entry afterwards.
  void Serve(Mount& mount) {
    struct fuse_in_header in;
    memcpy(&in, header_->in_out, sizeof in);
    commit_id_ = header_->ent.commit_id;
    replied_ = false;
    size_t payload = header_->ent.payload_sz;
    // The first argument's size is what the header's length leaves after the payload.
    size_t rest = sizeof in + payload;
    if (in.len < rest || in.len - rest > abi::kUringOpInSize || payload > payload_size_) return Fail(in.unique, EIO);
    size_t first = in.len - rest;
    char* start = Payload() - first - sizeof in;
    memcpy(start, &in, sizeof in);
    memcpy(start + sizeof in, header_->op_in, first);
    strata::Serve(mount, *this, start, in.len);
    // Every ring request takes a commit; none that reaches here goes unanswered by design.
    if (!replied_) Fail(in.unique, EIO);
  }

  void Reply(uint64_t unique, std::initializer_list<struct iovec> payload) const override {
    size_t n = 0;
    for (const struct iovec& piece : payload) {
      if (n + piece.iov_len > payload_size_) return Fail(unique, EIO);
      // A piece may lie in the payload buffer itself (the request's own bytes).
      memmove(Payload() + n, piece.iov_base, piece.iov_len);
      n += piece.iov_len;
    }
    Answer(unique, 0, n);
  }
  void Fail(uint64_t unique, int error) const override { Answer(unique, -error, 0); }
  // The reply goes with the next command; these wait for it.
  void AfterReply(std::vector<std::shared_ptr<const void>> keep) const override { after_reply_ = std::move(keep); }

  // After the command with the reply is submitted.
  void Replied() { after_reply_.clear(); }
  bool HoldsAfterReply() const { return !after_reply_.empty(); }

 private:
  static void* Map(size_t len) {
    void* map = mmap(nullptr, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return map == MAP_FAILED ? nullptr : map;
  }
  char* Payload() const { return static_cast<char*>(lead_) + kLead; }
  void Answer(uint64_t unique, int32_t error, size_t payload) const {
    struct fuse_out_header out = {};
    out.len = static_cast<uint32_t>(sizeof out + payload);
    out.error = error;
    out.unique = unique;
    memcpy(header_->in_out, &out, sizeof out);
    header_->ent.payload_sz = static_cast<uint32_t>(payload);
    replied_ = true;
  }

  const size_t payload_size_;
  abi::UringReqHeader* header_ = nullptr;
  void* lead_ = nullptr;
  struct iovec iov_[2];
  uint64_t commit_id_ = 0;
  mutable bool replied_ = false;
  mutable std::vector<std::shared_ptr<const void>> after_reply_;
};

void PinTo(unsigned cpu) {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  // A CPU that is possible but offline: the thread runs anywhere, and its queue is idle anyway.
  pthread_setaffinity_np(pthread_self(), sizeof set, &set);
}

}  // namespace

unsigned RingLoop::Queues() {
  // "0-3" or "0": the kernel makes one queue per possible CPU, numbered by CPU.
  static const unsigned queues = [] {
    std::ifstream possible("/sys/devices/system/cpu/possible");
    std::string range;
    if (possible >> range) {
      size_t dash = range.rfind('-');
      try {
        return static_cast<unsigned>(std::stoul(dash == std::string::npos ? range : range.substr(dash + 1)) + 1);
      } catch (const std::exception&) {
      }
    }
    return static_cast<unsigned>(get_nprocs_conf());
  }();
  return queues;
}

RingLoop::RingLoop(Mount& mount, size_t first_slot)
    : mount_(mount), first_slot_(first_slot), stop_fd_(eventfd(0, EFD_CLOEXEC)), queues_(new Queue[Queues()]) {}

RingLoop::~RingLoop() {
  Stop();
  if (stop_fd_ >= 0) close(stop_fd_);
}

void RingLoop::Start() {
  for (unsigned qid = 0; qid < Queues(); qid++) Spawn(qid);
}

void RingLoop::Stop() {
  std::vector<std::thread> threads;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopped_ = true;
    threads.swap(threads_);
  }
  uint64_t one = 1;
  if (!threads.empty() && write(stop_fd_, &one, sizeof one) < 0) perror("strata: waking the FUSE ring threads");
  for (std::thread& thread : threads) thread.join();
}

void RingLoop::Spawn(unsigned qid) {
  std::lock_guard<std::mutex> lock(mutex_);
  Queue& queue = queues_[qid];
  if (stopped_ || queue.threads >= kPerQueue) return;
  size_t slot = first_slot_ + qid * kPerQueue + queue.threads;
  queue.threads++;
  queue.idle++;
  threads_.emplace_back(&RingLoop::Worker, this, qid, slot);
}

void RingLoop::Worker(unsigned qid, size_t slot) {
  pthread_setname_np(pthread_self(), "strata-ring");
  PinTo(qid);
  Queue& queue = queues_[qid];
  // The entry outlives the ring: closing the ring is what takes the entry back from the kernel.
  Entry entry(RequestBufferSize(mount_.config()));
  Uring ring;
  int dev = mount_.device().fd();
  int rc = entry.ok() ? ring.Open(4) : -ENOMEM;
  if (rc < 0) {
    // The kernel moves requests to the ring only once every queue has an entry.
    fprintf(stderr, "strata: FUSE over io_uring unavailable for CPU %u (%s); the union stays on /dev/fuse\n", qid,
            strerror(-rc));
    queue.idle--;
    return;
  }
  UringSqe* sqe = ring.Next();
  sqe->opcode = kOpPollAdd;
  sqe->fd = stop_fd_;
  sqe->op_flags = POLLIN;
  sqe->user_data = kStopTag;
  ring.Push();
  entry.Submit(ring, dev, qid);
  for (;;) {
    rc = ring.Wait();
    if (rc < 0 && rc != -EINTR) break;
    uint64_t tag;
    int32_t res;
    bool done = false;
    while (!done && ring.Pop(&tag, &res)) {
      if (tag == kStopTag) {
        done = true;
      } else if (res == -EAGAIN || res == -EINTR) {
        // EAGAIN: the kernel has not taken the INIT reply yet.
        if (res == -EAGAIN) std::this_thread::sleep_for(std::chrono::milliseconds(1));
        entry.Submit(ring, dev, qid);
      } else if (res < 0) {
        // ENOTCONN: the connection ended. Anything else: the kernel will not serve this queue by ring.
        if (res != -ENOTCONN && res != -ECONNABORTED)
          fprintf(stderr, "strata: FUSE ring queue %u: %s\n", qid, strerror(-res));
        done = true;
      } else {
        // This thread is busy now; keep one waiting on the queue for the next request.
        if (--queue.idle == 0) Spawn(qid);
        mount_.in_flight().Start(slot);
        mount_.counters().Count(Counters::kIoUring);
        entry.Serve(mount_);
        mount_.in_flight().End(slot);
        queue.idle++;
        entry.Submit(ring, dev, qid);
        // Submitting apart from waiting costs a syscall, so only when something waits for the reply.
        if (entry.HoldsAfterReply()) {
          if (ring.Submit() == 0) entry.Replied();
        }
      }
    }
    if (done) break;
  }
  queue.idle--;
}

}  // namespace strata
