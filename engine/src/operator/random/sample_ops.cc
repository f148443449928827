// Random sampling ops: _random_uniform, _random_normal, _random_randint.
//
// Every sample comes from OpContext::rng, the engine's single std::mt19937_64 stream. The engine
// runs random ops one at a time in push order, so SeedRandom(s) followed by the same ops gives the
// same numbers. Generation is deliberately serial (one stream) and uses only our own transforms of
// the raw 64-bit draws (no std::*_distribution, whose algorithms differ between standard
// libraries), so results are the same on every platform and for any thread count.
#include <cmath>
#include <cstdint>
#include <limits>
#include <numbers>
#include <random>
#include <span>

#include "operator/creation/init_util.h"
#include "operator/op.h"
#include "ops/random.h"

namespace mixnet::op::random {
namespace {

using creation::ValueAs;
using elemwise::ComputeOf;
using elemwise::OutputReq;
using elemwise::StoreReq;

// Uniform double in [0, 1) with 53 random bits.
inline double Uniform01(std::mt19937_64& g) {
  return static_cast<double>(g() >> 11) * 0x1.0p-53;
}

std::mt19937_64& Generator(const OpContext& ctx, const char* op) {
  MX_CHECK(ctx.rng != nullptr, Internal) << op << ": no random generator in the op context";
  return ctx.rng->engine;
}

// float16/bfloat16/float32/float64 (None: float32).
template <typename P>
DType FloatSampleDType(const P& p) {
  const DType t = p.dtype.value_or(DType::kFloat32);
  if (!IsFloatingDType(t)) {
    MX_THROW(TypeError) << P::kOpName << ": dtype " << DTypeName(t)
                        << " is not supported (float16, bfloat16, float32 or float64)";
  }
  return t;
}

template <typename P>
void CheckCommon(const P& p) {
  creation::ParseCtxParam(P::kOpName, p.ctx);
  creation::CheckShapeParam(P::kOpName, "shape", p.shape);
}

// ---- _random_uniform ---------------------------------------------------------------------------

void InferUniform(const ParamBase& base, InferIO& io) {
  const auto& p = ParamAs<RandomUniformParam>(base);
  CheckCommon(p);
  if (!std::isfinite(p.low) || !std::isfinite(p.high) || !(p.low <= p.high)) {
    MX_THROW(ValueError) << "_random_uniform: low must be <= high (both finite), got low="
                         << p.low << ", high=" << p.high;
  }
  io.out_shapes.assign(1, p.shape);
  io.out_types.assign(1, FloatSampleDType(p));
}

template <typename T, OpReq R>
void SampleUniform(std::mt19937_64& g, T* out, int64_t n, double low, double high) {
  const double width = high - low;
  for (int64_t i = 0; i < n; ++i) {
    T v = ValueAs<T>(low);
    if (width > 0) {
      // Rounding to T can land on `high`; draw again to keep the interval half-open.
      for (int tries = 0; tries < 64; ++tries) {
        const T t = ValueAs<T>(low + width * Uniform01(g));
        if (static_cast<double>(static_cast<ComputeOf<T>>(t)) < high) {
          v = t;
          break;
        }
      }
    }
    StoreReq<R>(out[i], v);
  }
}

void UniformForward(const ParamBase& base, const OpContext& ctx, std::span<const TBlob>,
                    std::span<const TBlob> out) {
  const auto& p = ParamAs<RandomUniformParam>(base);
  auto& g = Generator(ctx, p.kOpName);
  const TBlob& y = out[0];
  MX_FLOAT_TYPE_SWITCH(y.dtype, T, p.kOpName, {
    MX_REQ_SWITCH(OutputReq(ctx), R,
                  { SampleUniform<T, R>(g, y.ptr<T>(), y.Size(), p.low, p.high); });
  });
}

// ---- _random_normal ----------------------------------------------------------------------------

void InferNormal(const ParamBase& base, InferIO& io) {
  const auto& p = ParamAs<RandomNormalParam>(base);
  CheckCommon(p);
  if (!std::isfinite(p.loc)) {
    MX_THROW(ValueError) << "_random_normal: loc must be finite, got " << p.loc;
  }
  if (!std::isfinite(p.scale) || !(p.scale >= 0)) {
    MX_THROW(ValueError) << "_random_normal: scale must be >= 0 (and finite), got " << p.scale;
  }
  io.out_shapes.assign(1, p.shape);
  io.out_types.assign(1, FloatSampleDType(p));
}

// Box-Muller: each pair of uniforms gives two independent standard normals.
template <typename T, OpReq R>
void SampleNormal(std::mt19937_64& g, T* out, int64_t n, double loc, double scale) {
  for (int64_t i = 0; i < n; i += 2) {
    const double u1 = 1.0 - Uniform01(g);  // (0, 1]: log stays finite
    const double u2 = Uniform01(g);
    const double radius = std::sqrt(-2.0 * std::log(u1));
    const double angle = 2.0 * std::numbers::pi * u2;
    StoreReq<R>(out[i], ValueAs<T>(loc + scale * radius * std::cos(angle)));
    if (i + 1 < n) StoreReq<R>(out[i + 1], ValueAs<T>(loc + scale * radius * std::sin(angle)));
  }
}

void NormalForward(const ParamBase& base, const OpContext& ctx, std::span<const TBlob>,
                   std::span<const TBlob> out) {
  const auto& p = ParamAs<RandomNormalParam>(base);
  auto& g = Generator(ctx, p.kOpName);
  const TBlob& y = out[0];
  MX_FLOAT_TYPE_SWITCH(y.dtype, T, p.kOpName, {
    MX_REQ_SWITCH(OutputReq(ctx), R,
                  { SampleNormal<T, R>(g, y.ptr<T>(), y.Size(), p.loc, p.scale); });
  });
}

// ---- _random_randint ---------------------------------------------------------------------------

void InferRandint(const ParamBase& base, InferIO& io) {
  const auto& p = ParamAs<RandomRandintParam>(base);
  CheckCommon(p);
  const DType t = p.dtype.value_or(DType::kInt32);
  if (t != DType::kInt32 && t != DType::kInt64) {
    MX_THROW(TypeError) << "_random_randint: dtype " << DTypeName(t)
                        << " is not supported (int32 or int64)";
  }
  if (!(p.low < p.high)) {
    MX_THROW(ValueError) << "_random_randint: low must be < high, got low=" << p.low
                         << ", high=" << p.high;
  }
  if (t == DType::kInt32 && (p.low < std::numeric_limits<int32_t>::min() ||
                             p.high - 1 > std::numeric_limits<int32_t>::max())) {
    MX_THROW(ValueError) << "_random_randint: [" << p.low << ", " << p.high
                         << ") does not fit dtype int32";
  }
  io.out_shapes.assign(1, p.shape);
  io.out_types.assign(1, t);
}

// Uniform integers in [low, high): rejection of the draws below 2^64 mod range removes the bias of
// a plain modulo.
template <typename T, OpReq R>
void SampleRandint(std::mt19937_64& g, T* out, int64_t n, int64_t low, int64_t high) {
  const uint64_t range = static_cast<uint64_t>(high) - static_cast<uint64_t>(low);
  const uint64_t threshold = (0 - range) % range;
  for (int64_t i = 0; i < n; ++i) {
    uint64_t x = g();
    while (x < threshold) x = g();
    const uint64_t v = static_cast<uint64_t>(low) + x % range;
    StoreReq<R>(out[i], static_cast<T>(static_cast<int64_t>(v)));
  }
}

void RandintForward(const ParamBase& base, const OpContext& ctx, std::span<const TBlob>,
                    std::span<const TBlob> out) {
  const auto& p = ParamAs<RandomRandintParam>(base);
  auto& g = Generator(ctx, p.kOpName);
  const TBlob& y = out[0];
  MX_REQ_SWITCH(OutputReq(ctx), R, {
    if (y.dtype == DType::kInt32) {
      SampleRandint<int32_t, R>(g, y.ptr<int32_t>(), y.Size(), p.low, p.high);
    } else if (y.dtype == DType::kInt64) {
      SampleRandint<int64_t, R>(g, y.ptr<int64_t>(), y.Size(), p.low, p.high);
    } else {
      MX_THROW(TypeError) << "_random_randint: dtype " << DTypeName(y.dtype)
                          << " is not supported (int32 or int64)";
    }
  });
}

}  // namespace

MX_REGISTER_KERNEL(_random_uniform, (OpKernel{.infer = InferUniform, .forward = UniformForward}));
MX_REGISTER_KERNEL(_random_normal, (OpKernel{.infer = InferNormal, .forward = NormalForward}));
MX_REGISTER_KERNEL(_random_randint,
                   (OpKernel{.infer = InferRandint, .forward = RandintForward}));

}  // namespace mixnet::op::random
