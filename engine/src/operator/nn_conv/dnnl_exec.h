// oneDNN plumbing shared by the nn_conv kernels: moving user tensors (plain row-major) in and out
// of the formats a primitive picked, honouring OpReq on the way out.
#pragma once

#include <dnnl.hpp>

#include <unordered_map>

#include "operator/dnnl/dnnl_util.h"
#include "operator/op.h"

namespace mixnet::op::nn_conv {

// Cached primitives use a user-managed scratchpad (see dnnl_util.h).
using dnnl_util::AddScratchpad;
using dnnl_util::UserScratchpadAttr;

// `user` itself when the primitive wants its format, else a reordered copy.
inline dnnl::memory PrepareInput(const dnnl::memory::desc& want, dnnl::memory user,
                                 dnnl::stream& s) {
  if (want == user.get_desc()) return user;
  dnnl::memory m = dnnl_util::TempMemory(want);
  dnnl::reorder(user, m).execute(s, user, m);
  return m;
}

// Where a primitive writes one result: straight into the user's buffer when the format matches and
// the result overwrites it; otherwise into a scratch buffer that Finish() reorders into the user's
// buffer, adding to what is there for kAddTo (a reorder with a sum post-op: one pass, no extra
// temporary).
class OutputStage {
 public:
  OutputStage(const dnnl::memory::desc& want, const dnnl::memory::desc& user_desc, void* user_ptr,
              OpReq req)
      : add_(req == OpReq::kAddTo) {
    user_ = dnnl_util::Wrap(user_desc, user_ptr);
    if (!add_ && want == user_desc) {
      mem_ = user_;
      direct_ = true;
    } else {
      mem_ = dnnl_util::TempMemory(want);
    }
  }
  dnnl::memory& mem() { return mem_; }
  void Finish(dnnl::stream& s) {
    if (direct_) return;
    dnnl::primitive_attr attr;
    if (add_) {
      dnnl::post_ops po;
      po.append_sum(1.0f);
      attr.set_post_ops(po);
    }
    dnnl::reorder::primitive_desc pd(dnnl_util::Engine(), mem_.get_desc(), dnnl_util::Engine(),
                                     user_.get_desc(), attr);
    dnnl::reorder(pd).execute(s, mem_, user_);
  }

 private:
  bool add_;
  bool direct_ = false;
  dnnl::memory user_, mem_;
};

// Runs fn on the calling thread's stream with oneDNN limited to nthreads, waits for it, and turns
// oneDNN errors into mixnet errors naming op.
template <typename Fn>
void RunDnnl(const char* op, int nthreads, Fn&& fn) {
  try {
    dnnl_util::WithThreads(nthreads, [&] {
      dnnl::stream& s = dnnl_util::ThreadStream();
      fn(s);
      s.wait();
    });
  } catch (const dnnl::error& e) {
    dnnl_util::Rethrow(e, op);
  }
}

}  // namespace mixnet::op::nn_conv
