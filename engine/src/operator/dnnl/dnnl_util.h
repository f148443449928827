// Shared plumbing for kernels that run on oneDNN (convolution, pooling, batch norm, LRN):
// one CPU engine for the process, a stream per thread, TBlob <-> dnnl::memory, a cache of
// primitives keyed by everything that shapes them, and the thread budget handed to oneDNN.
//
// oneDNN keeps its own primitive cache too; ours also skips building the primitive descriptor,
// which costs microseconds per call on small layers.
#pragma once

#include <dnnl.hpp>

#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "common/error.h"
#include "common/shape.h"
#include "ndarray/tblob.h"

namespace mixnet::op::dnnl_util {

// The process-wide CPU engine.
const dnnl::engine& Engine();
// A stream for the calling thread (streams are not thread-safe; engine workers each get one).
dnnl::stream& ThreadStream();

dnnl::memory::dims Dims(const Shape& s);
// oneDNN data type of a mixnet dtype (f32, bf16, f16, s32, s8, u8); TypeError naming `op` else.
dnnl::memory::data_type DataType(DType t, const char* op);
// The plain row-major format tag for ndim 1..6 (a, ab, abc, ...).
dnnl::memory::format_tag PlainTag(int ndim);
// A plain row-major descriptor for a blob's shape and dtype.
dnnl::memory::desc PlainDesc(const TBlob& b, const char* op);
dnnl::memory::desc PlainDesc(const Shape& s, DType t, const char* op);
// A memory object over the blob's own buffer (no copy).
dnnl::memory Wrap(const TBlob& b, const char* op);
dnnl::memory Wrap(const dnnl::memory::desc& d, void* ptr);

// Runs fn with oneDNN (OpenMP) limited to `nthreads`, restoring the previous setting. fn must
// finish its primitives (wait on the stream) before it returns: the TempMemory buffers it took
// go back to the storage pool then.
void WithThreads(int nthreads, const std::function<void()>& fn);

// A buffer for one execution (scratchpads, reordered copies, staged outputs). Inside WithThreads
// it comes from mixnet's storage pool and returns there when WithThreads ends, so a training loop
// reuses the same blocks instead of mapping fresh pages every step (the kernel's page clearing
// cost about a quarter of LeNet training time). Outside, oneDNN allocates it.
dnnl::memory TempMemory(const dnnl::memory::desc& d);

// Primitives kept in a PrimitiveCache run on whichever engine worker calls them, possibly several
// at once. oneDNN's default (library-managed) scratchpad is shared and only safe when a primitive
// runs on the thread that created it (Debian's oneDNN is built without
// DNNL_ENABLE_CONCURRENT_EXEC), so every cached primitive is created with a user-managed
// scratchpad and each execution passes its own buffer.
dnnl::primitive_attr UserScratchpadAttr();
// Adds a fresh scratchpad buffer for one execution of a primitive made with UserScratchpadAttr().
void AddScratchpad(std::unordered_map<int, dnnl::memory>& args,
                   const dnnl::memory::desc& scratchpad_desc);

// Rethrows a dnnl::error as a mixnet Error naming the op (ValueError for unsupported shapes or
// parameters, Internal otherwise).
[[noreturn]] void Rethrow(const dnnl::error& e, const char* op);

// Key builder: kernels describe a primitive by its op, shapes, dtypes and parameters.
class KeyBuilder {
 public:
  explicit KeyBuilder(const char* tag) : key_(tag) {}
  KeyBuilder& Add(const Shape& s);
  KeyBuilder& Add(int64_t v);
  KeyBuilder& Add(double v);
  KeyBuilder& Add(const std::vector<int64_t>& v);
  std::string Take() { return std::move(key_); }

 private:
  std::string key_;
};

// Kernels keep one instance per call site for the life of the process and never destroy it
// (`static auto& cache = *new PrimitiveCache<T>();`): engine workers may still be running a
// kernel that uses it while static destructors run at exit.
//
// A bounded LRU cache of built primitives (and whatever else a kernel wants to keep with them),
// shared by all threads. Entries are shared_ptr: a kernel keeps using its entry even if another
// thread evicts it meanwhile. T must be safe to use from several threads at once: oneDNN
// primitives are when made with UserScratchpadAttr() (execute() takes the stream, memories and
// scratchpad as arguments).
template <typename T>
class PrimitiveCache {
 public:
  explicit PrimitiveCache(size_t capacity = 256) : capacity_(capacity) {}

  std::shared_ptr<const T> GetOrCreate(const std::string& key,
                                       const std::function<std::shared_ptr<const T>()>& make) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      auto it = map_.find(key);
      if (it != map_.end()) {
        lru_.splice(lru_.begin(), lru_, it->second.second);
        return it->second.first;
      }
    }
    std::shared_ptr<const T> made = make();  // outside the lock: building is slow
    std::lock_guard<std::mutex> lock(mu_);
    auto it = map_.find(key);
    if (it != map_.end()) return it->second.first;
    lru_.push_front(key);
    map_.emplace(key, std::make_pair(made, lru_.begin()));
    if (map_.size() > capacity_) {
      map_.erase(lru_.back());
      lru_.pop_back();
    }
    return made;
  }

 private:
  size_t capacity_;
  std::mutex mu_;
  std::list<std::string> lru_;
  std::unordered_map<std::string,
                     std::pair<std::shared_ptr<const T>, std::list<std::string>::iterator>>
      map_;
};

}  // namespace mixnet::op::dnnl_util
