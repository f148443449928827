// The oneDNN core shared by Convolution and Deconvolution: both are described by a ConvSpec (the
// logical oneDNN dims plus how the user's weight buffer is laid out) and run by ConvPrimitives,
// templated on the oneDNN primitive family (convolution_* or deconvolution_*), whose descriptor
// constructors take the same arguments.
//
// Formats: user tensors are plain row-major. On AVX-512 machines, and elsewhere when both
// channel counts per group are multiples of 16 or the input has at most 4 channels per group (an
// image layer, which oneDNN's jit kernels read from plain memory), the primitives are created
// with format_tag::any so oneDNN picks its blocked layouts (nChw16c / nChw8c) and
// PrepareInput/OutputStage reorder at the boundary; otherwise they run on the plain formats
// directly. Measured with bench/nn_conv.py on an AVX2 EPYC (2 threads, forward / backward ms,
// blocked vs plain): ResNet 3x3 64->64: 60/107 vs 423/2292; LeNet 1->20 5x5: 0.6/5.6 vs 5.9/7.2;
// LeNet 20->50 5x5: 2.7/6.0 vs 2.1/4.8 (blocking pads 20 and 50 channels, and the reorders cost
// as much as the small convolution). See PreferBlocked for AVX-512.
// MIXNET_CONV_PLAIN=1 / =0 forces plain / blocked so the choice can be re-measured
// (bench/nn_conv.py --plain / --blocked).
#pragma once

#include <dnnl.hpp>

#include <cstdlib>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "operator/dnnl/dnnl_util.h"
#include "operator/nn_conv/dnnl_exec.h"
#include "operator/op.h"

namespace mixnet::op::nn_conv {

struct ConvSpec {
  const char* op = "";
  dnnl::memory::dims src, weights, dst;  // oneDNN logical dims ((G, O/G, I/G, k...) with groups)
  dnnl::memory::desc user_weights;       // the user's weight buffer (may be strided: Deconvolution)
  bool bias = false;
  int64_t num_out = 0;                   // bias length
  bool blocked = true;                   // let oneDNN pick blocked formats (see above)
  dnnl::memory::dims strides, dilates, pad_l, pad_r;  // dilates oneDNN-style (d - 1)

  std::string Key(const char* tag) const {
    dnnl_util::KeyBuilder k(tag);
    for (const auto* v : {&src, &weights, &dst, &strides, &dilates, &pad_l, &pad_r}) {
      k.Add(std::vector<int64_t>(v->begin(), v->end()));
    }
    k.Add(int64_t{bias});
    k.Add(int64_t{PlainFormats()});
    return k.Take();
  }
  // The blocked-format rule for per-group input/output channel counts. Where oneDNN runs its
  // AVX-512 kernels, blocked formats win even when blocking pads the channels (LeNet 20->50 5x5,
  // N=64, 2 threads, Xeon: 4.43 vs 5.14 ms forward+backward; the plain path is oneDNN's
  // gemm-based one); on AVX2 the padding costs more than it saves (the measurement above).
  static bool PreferBlocked(int64_t in_per_group, int64_t out_per_group) {
    static const bool avx512 = [] {
      const auto isa = static_cast<unsigned>(dnnl::get_effective_cpu_isa());
      const auto core = static_cast<unsigned>(dnnl::cpu_isa::avx512_core);
      return (isa & core) == core;  // ISA values are nested bit masks
    }();
    return avx512 || (in_per_group % 16 == 0 && out_per_group % 16 == 0) || in_per_group <= 4;
  }
  bool PlainFormats() const {
    static const int forced = [] {  // -1: not forced, 0: blocked, 1: plain
      const char* v = std::getenv("MIXNET_CONV_PLAIN");
      return v == nullptr || (v[0] != '0' && v[0] != '1') ? -1 : v[0] - '0';
    }();
    return forced >= 0 ? forced == 1 : !blocked;
  }
  dnnl::memory::desc Plain(const dnnl::memory::dims& d) const {
    return dnnl::memory::desc(d, dnnl::memory::data_type::f32,
                              dnnl_util::PlainTag(static_cast<int>(d.size())));
  }
  // What the primitive descriptor is created with for a tensor of dims d.
  dnnl::memory::desc Want(const dnnl::memory::dims& d) const {
    return PlainFormats() ? Plain(d)
                          : dnnl::memory::desc(d, dnnl::memory::data_type::f32,
                                               dnnl::memory::format_tag::any);
  }
  dnnl::memory::desc WantWeights() const {
    return PlainFormats() ? user_weights
                          : dnnl::memory::desc(weights, dnnl::memory::data_type::f32,
                                               dnnl::memory::format_tag::any);
  }
  dnnl::memory::desc BiasDesc() const {
    return dnnl::memory::desc({num_out}, dnnl::memory::data_type::f32,
                              dnnl::memory::format_tag::x);
  }
};

template <class Fwd, class BwdD, class BwdW, dnnl::algorithm kAlg>
class ConvPrimitives {
 public:
  struct FwdEntry {
    typename Fwd::primitive_desc pd;
    Fwd prim;
  };
  struct BwdEntry {
    typename BwdD::primitive_desc dpd;
    BwdD dprim;
    typename BwdW::primitive_desc wpd;
    BwdW wprim;
  };

  static typename Fwd::primitive_desc MakeFwdPd(const ConvSpec& s) {
    const auto pk = dnnl::prop_kind::forward_training;
    auto d = s.bias ? typename Fwd::desc(pk, kAlg, s.Want(s.src), s.WantWeights(), s.BiasDesc(),
                                         s.Want(s.dst), s.strides, s.dilates, s.pad_l, s.pad_r)
                    : typename Fwd::desc(pk, kAlg, s.Want(s.src), s.WantWeights(), s.Want(s.dst),
                                         s.strides, s.dilates, s.pad_l, s.pad_r);
    return typename Fwd::primitive_desc(d, UserScratchpadAttr(), dnnl_util::Engine());
  }

  static std::shared_ptr<const FwdEntry> GetFwd(const ConvSpec& s) {
    static auto& cache = *new dnnl_util::PrimitiveCache<FwdEntry>();  // never destroyed
    return cache.GetOrCreate(s.Key("fwd"), [&] {
      auto pd = MakeFwdPd(s);
      return std::make_shared<const FwdEntry>(FwdEntry{pd, Fwd(pd)});
    });
  }

  static std::shared_ptr<const BwdEntry> GetBwd(const ConvSpec& s) {
    static auto& cache = *new dnnl_util::PrimitiveCache<BwdEntry>();  // never destroyed
    return cache.GetOrCreate(s.Key("bwd"), [&] {
      auto hint = MakeFwdPd(s);
      typename BwdD::desc dd(kAlg, s.Want(s.src), s.WantWeights(), s.Want(s.dst), s.strides,
                             s.dilates, s.pad_l, s.pad_r);
      typename BwdD::primitive_desc dpd(dd, UserScratchpadAttr(), dnnl_util::Engine(), hint);
      auto wd = s.bias ? typename BwdW::desc(kAlg, s.Want(s.src), s.WantWeights(), s.BiasDesc(),
                                             s.Want(s.dst), s.strides, s.dilates, s.pad_l, s.pad_r)
                       : typename BwdW::desc(kAlg, s.Want(s.src), s.WantWeights(), s.Want(s.dst),
                                             s.strides, s.dilates, s.pad_l, s.pad_r);
      typename BwdW::primitive_desc wpd(wd, UserScratchpadAttr(), dnnl_util::Engine(), hint);
      return std::make_shared<const BwdEntry>(BwdEntry{dpd, BwdD(dpd), wpd, BwdW(wpd)});
    });
  }

  // out = conv(data, weight) (+ bias), under req.
  static void Forward(const ConvSpec& s, int nthreads, void* data, void* weight, void* bias,
                      void* out, OpReq req) {
    if (req == OpReq::kNull) return;
    RunDnnl(s.op, nthreads, [&](dnnl::stream& st) {
      auto e = GetFwd(s);
      dnnl::memory src = PrepareInput(e->pd.src_desc(), dnnl_util::Wrap(s.Plain(s.src), data), st);
      dnnl::memory wei =
          PrepareInput(e->pd.weights_desc(), dnnl_util::Wrap(s.user_weights, weight), st);
      OutputStage dst(e->pd.dst_desc(), s.Plain(s.dst), out, req);
      std::unordered_map<int, dnnl::memory> args{
          {DNNL_ARG_SRC, src}, {DNNL_ARG_WEIGHTS, wei}, {DNNL_ARG_DST, dst.mem()}};
      if (s.bias) args[DNNL_ARG_BIAS] = dnnl_util::Wrap(s.BiasDesc(), bias);
      AddScratchpad(args, e->pd.scratchpad_desc());
      e->prim.execute(st, args);
      dst.Finish(st);
    });
  }

  // Gradients of data, weight and bias (nullptr / kNull: not wanted).
  static void Backward(const ConvSpec& s, int nthreads, void* out_grad, void* data, void* weight,
                       void* gdata, OpReq req_data, void* gweight, OpReq req_weight, void* gbias,
                       OpReq req_bias) {
    const bool want_w = req_weight != OpReq::kNull;
    const bool want_b = s.bias && req_bias != OpReq::kNull;
    if (req_data == OpReq::kNull && !want_w && !want_b) return;
    RunDnnl(s.op, nthreads, [&](dnnl::stream& st) {
      auto e = GetBwd(s);
      dnnl::memory og_user = dnnl_util::Wrap(s.Plain(s.dst), out_grad);
      dnnl::memory og = PrepareInput(e->dpd.diff_dst_desc(), og_user, st);
      if (req_data != OpReq::kNull) {
        dnnl::memory wei =
            PrepareInput(e->dpd.weights_desc(), dnnl_util::Wrap(s.user_weights, weight), st);
        OutputStage ds(e->dpd.diff_src_desc(), s.Plain(s.src), gdata, req_data);
        std::unordered_map<int, dnnl::memory> dargs{
            {DNNL_ARG_DIFF_DST, og}, {DNNL_ARG_WEIGHTS, wei}, {DNNL_ARG_DIFF_SRC, ds.mem()}};
        AddScratchpad(dargs, e->dpd.scratchpad_desc());
        e->dprim.execute(st, dargs);
        ds.Finish(st);
      }
      if (!want_w && !want_b) return;
      dnnl::memory src = PrepareInput(e->wpd.src_desc(), dnnl_util::Wrap(s.Plain(s.src), data), st);
      dnnl::memory og_w =
          e->wpd.diff_dst_desc() == og.get_desc() ? og : PrepareInput(e->wpd.diff_dst_desc(), og_user, st);
      std::unique_ptr<OutputStage> dw, db;
      std::unordered_map<int, dnnl::memory> args{{DNNL_ARG_SRC, src}, {DNNL_ARG_DIFF_DST, og_w}};
      if (want_w) {
        dw = std::make_unique<OutputStage>(e->wpd.diff_weights_desc(), s.user_weights, gweight,
                                           req_weight);
        args[DNNL_ARG_DIFF_WEIGHTS] = dw->mem();
      } else {
        args[DNNL_ARG_DIFF_WEIGHTS] = dnnl_util::TempMemory(e->wpd.diff_weights_desc());
      }
      if (s.bias) {
        if (want_b) {
          db = std::make_unique<OutputStage>(e->wpd.diff_bias_desc(), s.BiasDesc(), gbias, req_bias);
          args[DNNL_ARG_DIFF_BIAS] = db->mem();
        } else {
          args[DNNL_ARG_DIFF_BIAS] = dnnl_util::TempMemory(e->wpd.diff_bias_desc());
        }
      }
      AddScratchpad(args, e->wpd.scratchpad_desc());
      e->wprim.execute(st, args);
      if (dw) dw->Finish(st);
      if (db) db->Finish(st);
    });
  }
};

using ConvPrims = ConvPrimitives<dnnl::convolution_forward, dnnl::convolution_backward_data,
                                 dnnl::convolution_backward_weights,
                                 dnnl::algorithm::convolution_direct>;
using DeconvPrims = ConvPrimitives<dnnl::deconvolution_forward, dnnl::deconvolution_backward_data,
                                   dnnl::deconvolution_backward_weights,
                                   dnnl::algorithm::deconvolution_direct>;

}  // namespace mixnet::op::nn_conv
