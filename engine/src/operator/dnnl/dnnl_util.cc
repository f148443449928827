// See dnnl_util.h.
#include "operator/dnnl/dnnl_util.h"

#include <omp.h>

#include <cstring>
#include <vector>

#include "engine/engine.h"
#include "ndarray/storage.h"

namespace mixnet::op::dnnl_util {

const dnnl::engine& Engine() {
  static const dnnl::engine* eng = new dnnl::engine(dnnl::engine::kind::cpu, 0);  // leaked: used at exit
  return *eng;
}

dnnl::stream& ThreadStream() {
  thread_local dnnl::stream s(Engine());
  return s;
}

dnnl::memory::dims Dims(const Shape& s) {
  dnnl::memory::dims d;
  for (int64_t v : s.dims()) d.push_back(v);
  return d;
}

dnnl::memory::data_type DataType(DType t, const char* op) {
  using dt = dnnl::memory::data_type;
  switch (t) {
    case DType::kFloat32: return dt::f32;
    case DType::kBfloat16: return dt::bf16;
    case DType::kFloat16: return dt::f16;
    case DType::kInt32: return dt::s32;
    case DType::kInt8: return dt::s8;
    case DType::kUint8: return dt::u8;
    default:
      MX_THROW(TypeError) << op << ": dtype " << DTypeName(t) << " is not supported";
  }
}

dnnl::memory::format_tag PlainTag(int ndim) {
  using tag = dnnl::memory::format_tag;
  switch (ndim) {
    case 1: return tag::a;
    case 2: return tag::ab;
    case 3: return tag::abc;
    case 4: return tag::abcd;
    case 5: return tag::abcde;
    case 6: return tag::abcdef;
    default: MX_THROW(Internal) << "oneDNN: no plain format for " << ndim << " dimensions";
  }
}

dnnl::memory::desc PlainDesc(const Shape& s, DType t, const char* op) {
  return dnnl::memory::desc(Dims(s), DataType(t, op), PlainTag(s.ndim()));
}

dnnl::memory::desc PlainDesc(const TBlob& b, const char* op) { return PlainDesc(b.shape, b.dtype, op); }

dnnl::memory Wrap(const dnnl::memory::desc& d, void* ptr) { return dnnl::memory(d, Engine(), ptr); }

dnnl::memory Wrap(const TBlob& b, const char* op) { return Wrap(PlainDesc(b, op), b.dptr); }

dnnl::primitive_attr UserScratchpadAttr() {
  dnnl::primitive_attr attr;
  attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
  return attr;
}

void AddScratchpad(std::unordered_map<int, dnnl::memory>& args,
                   const dnnl::memory::desc& scratchpad_desc) {
  if (scratchpad_desc.get_size() > 0) args[DNNL_ARG_SCRATCHPAD] = TempMemory(scratchpad_desc);
}

namespace {
// The pooled blocks TempMemory handed out during one WithThreads call on this thread.
struct TempBlocks {
  std::vector<StorageBlock> blocks;
  ~TempBlocks() {
    for (const StorageBlock& b : blocks) Storage::Get()->Free(b);
  }
};
thread_local TempBlocks* t_temp_blocks = nullptr;
}  // namespace

dnnl::memory TempMemory(const dnnl::memory::desc& d) {
  if (t_temp_blocks == nullptr || d.get_size() == 0) return dnnl::memory(d, Engine());
  StorageBlock b = Storage::Get()->Alloc(d.get_size());
  try {
    t_temp_blocks->blocks.push_back(b);
  } catch (...) {
    Storage::Get()->Free(b);
    throw;
  }
  return dnnl::memory(d, Engine(), b.dptr);
}

void WithThreads(int nthreads, const std::function<void()>& fn) {
  const int prev = omp_get_max_threads();
  const int want = nthreads < 1 ? 1 : nthreads;
  if (want != prev) omp_set_num_threads(want);
  TempBlocks temps;
  TempBlocks* const outer = t_temp_blocks;
  t_temp_blocks = &temps;
  try {
    fn();
  } catch (...) {
    t_temp_blocks = outer;
    if (want != prev) omp_set_num_threads(prev);
    throw;
  }
  t_temp_blocks = outer;
  if (want != prev) omp_set_num_threads(prev);
  engine::RefreshExitDrain();  // oneDNN may have created static state in this call
}

void Rethrow(const dnnl::error& e, const char* op) {
  if (e.status == dnnl_invalid_arguments || e.status == dnnl_unimplemented) {
    MX_THROW(ValueError) << op << ": oneDNN rejected the configuration (" << e.what() << ")";
  }
  MX_THROW(Internal) << op << ": oneDNN failed (" << e.what() << ")";
}

KeyBuilder& KeyBuilder::Add(const Shape& s) {
  key_ += '(';
  for (int64_t v : s.dims()) key_ += std::to_string(v) + ',';
  key_ += ')';
  return *this;
}

KeyBuilder& KeyBuilder::Add(int64_t v) {
  key_ += '|' + std::to_string(v);
  return *this;
}

KeyBuilder& KeyBuilder::Add(double v) {
  char buf[32];
  std::memcpy(buf, &v, sizeof v);  // exact bits, no formatting ambiguity
  key_ += '|';
  key_.append(buf, sizeof v);
  return *this;
}

KeyBuilder& KeyBuilder::Add(const std::vector<int64_t>& v) {
  key_ += '[';
  for (int64_t x : v) key_ += std::to_string(x) + ',';
  key_ += ']';
  return *this;
}

}  // namespace mixnet::op::dnnl_util
