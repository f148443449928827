// The oneDNN core shared by Convolution and Deconvolution: both are described by a ConvSpec (the
// logical oneDNN dims plus how the user's weight buffer is laid out) and run by ConvPrimitives,
// templated on the oneDNN primitive family (convolution_* or deconvolution_*), whose descriptor
// constructors take the same arguments.
//
// Formats: user tensors are plain row-major (NC[D]HW); each primitive (forward, backward-data,
// backward-weights) runs in the layout ConvFormats picks for it, and PrepareInput/OutputStage
// reorder at the boundary. kBlocked lets oneDNN choose (format_tag::any: nChw16c / nChw8c),
// kChannelsLast asks for N[D]HWC activations (oneDNN's brgemm kernels handle channel counts that
// are no multiple of the vector block without padding them), kPlain runs on the user's layout
// (oneDNN's gemm-based kernels, no reorder). See ChooseFormats for the rule and its figures;
// MIXNET_CONV_PLAIN=1 / =0 forces plain / blocked everywhere so the choice can be re-measured
// (bench/nn_conv.py --plain / --blocked).
#pragma once

#include <dnnl.hpp>

#include <cstdlib>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "operator/dnnl/dnnl_util.h"
#include "operator/nn_conv/dnnl_exec.h"
#include "operator/op.h"

namespace mixnet::op::nn_conv {

enum class ConvFormat { kPlain, kBlocked, kChannelsLast };

struct ConvFormats {
  ConvFormat fwd = ConvFormat::kBlocked, bwd_data = ConvFormat::kBlocked,
             bwd_weights = ConvFormat::kBlocked;
};

// The layouts for a convolution with these channel counts per group (and spatial rank nsp).
// Measured per primitive with oneDNN 2.6, N=128, 2 threads, ms incl. the reorders each choice
// implies; the rule keeps the best of each row.
//   AVX2 (EPYC): aligned or image layers blocked; otherwise plain (LeNet 20->50 5x5, N=64,
//     forward/backward: blocked 2.7/6.0 vs plain 2.1/4.8: padding 20 and 50 channels to the
//     8-block costs more than the direct kernels save).
//   AVX-512 (Xeon), LeNet 20->50 5x5 on 12x12: blocked 2.5/2.5/2.7 (fwd/bwd-data/bwd-weights;
//     channels padded to 32 and 64), channels-last 1.5/2.0/1.7, plain (gemm) 4.9/3.8/3.8.
//   AVX-512, LeNet 1->20 5x5 on 28x28: forward blocked 1.1 incl. the output reorder, plain
//     (gemm) 1.0, channels-last worse in a training step (10.6 vs 10.0 ms of oneDNN time per
//     LeNet step); blocked and plain measure alike, and both showed rare processes where this
//     layer ran 4-8x slower throughout (not reproduced under perf; cause not found).
//     Backward-weights blocked 0.4 + 1.0 (diff_dst reorder) vs plain 3.1;
//     backward-data plain 1.0 vs blocked 5.5. With channels in multiples of 16, blocked wins
//     everywhere (ResNet 3x3 64->64: 23/52 ms vs plain 42/105).
inline ConvFormats ChooseFormats(int64_t in_per_group, int64_t out_per_group) {
  using F = ConvFormat;
  static const bool avx512 = [] {
    const auto isa = static_cast<unsigned>(dnnl::get_effective_cpu_isa());
    const auto core = static_cast<unsigned>(dnnl::cpu_isa::avx512_core);
    return (isa & core) == core;  // ISA values are nested bit masks
  }();
  const bool aligned = in_per_group % 16 == 0 && out_per_group % 16 == 0;
  const bool image = in_per_group <= 4;
  if (!avx512) {
    const F f = aligned || image ? F::kBlocked : F::kPlain;
    return {f, f, f};
  }
  if (aligned) return {F::kBlocked, F::kBlocked, F::kBlocked};
  if (image) {
    return {F::kBlocked, F::kPlain, F::kBlocked};
  }
  return {F::kChannelsLast, F::kChannelsLast, F::kChannelsLast};
}

struct ConvSpec {
  const char* op = "";
  dnnl::memory::dims src, weights, dst;  // oneDNN logical dims ((G, O/G, I/G, k...) with groups)
  dnnl::memory::desc user_weights;       // the user's weight buffer (may be strided: Deconvolution)
  bool bias = false;
  int64_t num_out = 0;                   // bias length
  ConvFormats formats;                   // per primitive (see ChooseFormats)
  // An activation the forward primitive applies to its output (a oneDNN eltwise post-op), or
  // undef. The backward primitives know nothing of it: the caller folds the activation's
  // gradient into diff_dst (see ConvPrimitives::Backward's make_og).
  dnnl::algorithm post_act = dnnl::algorithm::undef;
  dnnl::memory::dims strides, dilates, pad_l, pad_r;  // dilates oneDNN-style (d - 1)

  std::string Key(const char* tag, ConvFormat f) const {
    dnnl_util::KeyBuilder k(tag);
    for (const auto* v : {&src, &weights, &dst, &strides, &dilates, &pad_l, &pad_r}) {
      k.Add(std::vector<int64_t>(v->begin(), v->end()));
    }
    k.Add(int64_t{bias});
    k.Add(static_cast<int64_t>(Resolve(f)));
    k.Add(static_cast<int64_t>(post_act));
    return k.Take();
  }
  // f, unless MIXNET_CONV_PLAIN forces plain (1) or blocked (0) formats everywhere.
  static ConvFormat Resolve(ConvFormat f) {
    static const int forced = [] {  // -1: not forced, 0: blocked, 1: plain
      const char* v = std::getenv("MIXNET_CONV_PLAIN");
      return v == nullptr || (v[0] != '0' && v[0] != '1') ? -1 : v[0] - '0';
    }();
    return forced < 0 ? f : forced == 1 ? ConvFormat::kPlain : ConvFormat::kBlocked;
  }
  dnnl::memory::desc Plain(const dnnl::memory::dims& d) const {
    return dnnl::memory::desc(d, dnnl::memory::data_type::f32,
                              dnnl_util::PlainTag(static_cast<int>(d.size())));
  }
  // What a primitive descriptor in format f is created with for an activation of dims d.
  dnnl::memory::desc Want(const dnnl::memory::dims& d, ConvFormat f) const {
    using Tag = dnnl::memory::format_tag;
    switch (Resolve(f)) {
      case ConvFormat::kPlain:
        return Plain(d);
      case ConvFormat::kChannelsLast: {
        const Tag tag = d.size() == 3 ? Tag::nwc : d.size() == 4 ? Tag::nhwc : Tag::ndhwc;
        return dnnl::memory::desc(d, dnnl::memory::data_type::f32, tag);
      }
      case ConvFormat::kBlocked:
        break;
    }
    return dnnl::memory::desc(d, dnnl::memory::data_type::f32, Tag::any);
  }
  dnnl::memory::desc WantWeights(ConvFormat f) const {
    return Resolve(f) == ConvFormat::kPlain
               ? user_weights
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

  static typename Fwd::primitive_desc MakeFwdPd(const ConvSpec& s, ConvFormat f) {
    const auto pk = dnnl::prop_kind::forward_training;
    auto d = s.bias ? typename Fwd::desc(pk, kAlg, s.Want(s.src, f), s.WantWeights(f),
                                         s.BiasDesc(), s.Want(s.dst, f), s.strides, s.dilates,
                                         s.pad_l, s.pad_r)
                    : typename Fwd::desc(pk, kAlg, s.Want(s.src, f), s.WantWeights(f),
                                         s.Want(s.dst, f), s.strides, s.dilates, s.pad_l, s.pad_r);
    dnnl::primitive_attr attr = UserScratchpadAttr();
    if (s.post_act != dnnl::algorithm::undef) {
      dnnl::post_ops po;
      po.append_eltwise(1.0f, s.post_act, 0.0f, 0.0f);
      attr.set_post_ops(po);
    }
    return typename Fwd::primitive_desc(d, attr, dnnl_util::Engine());
  }

  static std::shared_ptr<const FwdEntry> GetFwd(const ConvSpec& s) {
    static auto& cache = *new dnnl_util::PrimitiveCache<FwdEntry>();  // never destroyed
    return cache.GetOrCreate(s.Key("fwd", s.formats.fwd), [&] {
      auto pd = MakeFwdPd(s, s.formats.fwd);
      return std::make_shared<const FwdEntry>(FwdEntry{pd, Fwd(pd)});
    });
  }

  // Backward-data and backward-weights may run in different layouts; each gets a forward hint
  // in its own.
  static std::shared_ptr<const BwdEntry> GetBwd(const ConvSpec& s) {
    static auto& cache = *new dnnl_util::PrimitiveCache<BwdEntry>();  // never destroyed
    const ConvFormat fd = s.formats.bwd_data, fw = s.formats.bwd_weights;
    return cache.GetOrCreate(s.Key("bwd", fd) + s.Key("", fw), [&] {
      typename BwdD::desc dd(kAlg, s.Want(s.src, fd), s.WantWeights(fd), s.Want(s.dst, fd),
                             s.strides, s.dilates, s.pad_l, s.pad_r);
      typename BwdD::primitive_desc dpd(dd, UserScratchpadAttr(), dnnl_util::Engine(),
                                        MakeFwdPd(s, fd));
      auto wd = s.bias ? typename BwdW::desc(kAlg, s.Want(s.src, fw), s.WantWeights(fw),
                                             s.BiasDesc(), s.Want(s.dst, fw), s.strides,
                                             s.dilates, s.pad_l, s.pad_r)
                       : typename BwdW::desc(kAlg, s.Want(s.src, fw), s.WantWeights(fw),
                                             s.Want(s.dst, fw), s.strides, s.dilates, s.pad_l,
                                             s.pad_r);
      typename BwdW::primitive_desc wpd(wd, UserScratchpadAttr(), dnnl_util::Engine(),
                                        MakeFwdPd(s, fw));
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

  // Makes diff_dst in the layout a backward primitive wants (a TempMemory or a wrapped buffer).
  using MakeDiffDst = std::function<dnnl::memory(const dnnl::memory::desc& want, dnnl::stream&)>;

  // Gradients of data, weight and bias (nullptr / kNull: not wanted). diff_dst is out_grad (plain)
  // unless make_og is given, which then produces it in each layout asked for (out_grad unused).
  static void Backward(const ConvSpec& s, int nthreads, void* out_grad, void* data, void* weight,
                       void* gdata, OpReq req_data, void* gweight, OpReq req_weight, void* gbias,
                       OpReq req_bias, const MakeDiffDst* make_og = nullptr) {
    const bool want_w = req_weight != OpReq::kNull;
    const bool want_b = s.bias && req_bias != OpReq::kNull;
    if (req_data == OpReq::kNull && !want_w && !want_b) return;
    RunDnnl(s.op, nthreads, [&](dnnl::stream& st) {
      auto e = GetBwd(s);
      auto make = [&](const dnnl::memory::desc& want) {
        return make_og != nullptr ? (*make_og)(want, st)
                                  : PrepareInput(want, dnnl_util::Wrap(s.Plain(s.dst), out_grad), st);
      };
      // Backward-data's layout, made only when that primitive runs.
      dnnl::memory og;
      if (req_data != OpReq::kNull) {
        dnnl::memory wei =
            PrepareInput(e->dpd.weights_desc(), dnnl_util::Wrap(s.user_weights, weight), st);
        OutputStage ds(e->dpd.diff_src_desc(), s.Plain(s.src), gdata, req_data);
        og = make(e->dpd.diff_dst_desc());
        std::unordered_map<int, dnnl::memory> dargs{
            {DNNL_ARG_DIFF_DST, og}, {DNNL_ARG_WEIGHTS, wei}, {DNNL_ARG_DIFF_SRC, ds.mem()}};
        AddScratchpad(dargs, e->dpd.scratchpad_desc());
        e->dprim.execute(st, dargs);
        ds.Finish(st);
      }
      if (!want_w && !want_b) return;
      dnnl::memory src = PrepareInput(e->wpd.src_desc(), dnnl_util::Wrap(s.Plain(s.src), data), st);
      dnnl::memory og_w = og && e->wpd.diff_dst_desc() == og.get_desc() ? og : make(e->wpd.diff_dst_desc());
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
