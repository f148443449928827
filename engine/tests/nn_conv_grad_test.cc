// nn_conv family: numeric gradient checks. Convolution/Deconvolution and the oneDNN Pooling paths
// are float32-only (oneDNN), so they use the float32 tolerances on small shapes; the hand-written
// Pooling (sum, lp, avg with MXNet's full-convention divisor) and LRN also run in float64.
#include <gtest/gtest.h>

#include "grad_check_util.h"

namespace mixnet::test {
namespace {

constexpr DType kF32 = DType::kFloat32;
constexpr DType kF64 = DType::kFloat64;

GRAD_TEST(NnConvGrad, Convolution, "Convolution") {
  // 2D with bias, stride, pad.
  CheckGradient({.op = "Convolution",
                 .attrs = {{"kernel", "(3, 3)"}, {"num_filter", "3"}, {"stride", "(2, 1)"},
                           {"pad", "(1, 1)"}},
                 .inputs = {RandomArray({2, 2, 5, 4}, kF32, -1, 1, 1),
                            RandomArray({3, 2, 3, 3}, kF32, -1, 1, 2),
                            RandomArray({3}, kF32, -1, 1, 3)}});
  // Groups + dilation, no bias.
  CheckGradient({.op = "Convolution",
                 .attrs = {{"kernel", "(2, 2)"}, {"num_filter", "4"}, {"num_group", "2"},
                           {"dilate", "(2, 1)"}, {"no_bias", "True"}},
                 .inputs = {RandomArray({1, 4, 5, 4}, kF32, -1, 1, 4),
                            RandomArray({4, 2, 2, 2}, kF32, -1, 1, 5)}});
  // 1D and 3D.
  CheckGradient({.op = "Convolution",
                 .attrs = {{"kernel", "(3,)"}, {"num_filter", "2"}, {"pad", "(1,)"},
                           {"stride", "(2,)"}},
                 .inputs = {RandomArray({2, 3, 7}, kF32, -1, 1, 6),
                            RandomArray({2, 3, 3}, kF32, -1, 1, 7),
                            RandomArray({2}, kF32, -1, 1, 8)}});
  // 16 channels: oneDNN's blocked formats (reorders in and out, kAddTo through the reorder).
  CheckGradient({.op = "Convolution",
                 .attrs = {{"kernel", "(2, 2)"}, {"num_filter", "16"}, {"pad", "(1, 0)"}},
                 .inputs = {RandomArray({1, 16, 3, 3}, kF32, -1, 1, 29),
                            RandomArray({16, 16, 2, 2}, kF32, -1, 1, 30),
                            RandomArray({16}, kF32, -1, 1, 31)}});
  // 6 input channels: oneDNN on plain formats (kAddTo through a scratch buffer and a summing
  // reorder).
  CheckGradient({.op = "Convolution",
                 .attrs = {{"kernel", "(2, 2)"}, {"num_filter", "3"}, {"stride", "(2, 2)"}},
                 .inputs = {RandomArray({1, 6, 4, 5}, kF32, -1, 1, 38),
                            RandomArray({3, 6, 2, 2}, kF32, -1, 1, 39),
                            RandomArray({3}, kF32, -1, 1, 40)}});
  // Only weight and bias wanted (data's req is kNull).
  CheckGradient({.op = "Convolution",
                 .attrs = {{"kernel", "(3, 3)"}, {"num_filter", "2"}},
                 .inputs = {RandomArray({2, 2, 4, 4}, kF32, -1, 1, 32),
                            RandomArray({2, 2, 3, 3}, kF32, -1, 1, 33),
                            RandomArray({2}, kF32, -1, 1, 34)},
                 .wrt = {1, 2}});
  CheckGradient({.op = "Convolution",
                 .attrs = {{"kernel", "(2, 2, 2)"}, {"num_filter", "2"}, {"pad", "(1, 0, 1)"}},
                 .inputs = {RandomArray({1, 2, 3, 3, 3}, kF32, -1, 1, 9),
                            RandomArray({2, 2, 2, 2, 2}, kF32, -1, 1, 10),
                            RandomArray({2}, kF32, -1, 1, 11)}});
}

GRAD_TEST(NnConvGrad, Deconvolution, "Deconvolution") {
  // 6 input channels per group: plain formats.
  CheckGradient({.op = "Deconvolution",
                 .attrs = {{"kernel", "(2, 2)"}, {"num_filter", "4"}, {"num_group", "2"},
                           {"no_bias", "False"}},
                 .inputs = {RandomArray({1, 12, 2, 2}, kF32, -1, 1, 41),
                            RandomArray({12, 2, 2, 2}, kF32, -1, 1, 42),
                            RandomArray({4}, kF32, -1, 1, 43)}});
  CheckGradient({.op = "Deconvolution",
                 .attrs = {{"kernel", "(3, 3)"}, {"num_filter", "2"}, {"stride", "(2, 2)"},
                           {"pad", "(1, 1)"}, {"adj", "(1, 0)"}, {"no_bias", "False"}},
                 .inputs = {RandomArray({2, 3, 3, 3}, kF32, -1, 1, 12),
                            RandomArray({3, 2, 3, 3}, kF32, -1, 1, 13),
                            RandomArray({2}, kF32, -1, 1, 14)}});
  CheckGradient({.op = "Deconvolution",
                 .attrs = {{"kernel", "(2, 2)"}, {"num_filter", "4"}, {"num_group", "2"},
                           {"dilate", "(1, 2)"}},
                 .inputs = {RandomArray({1, 2, 3, 3}, kF32, -1, 1, 15),
                            RandomArray({2, 2, 2, 2}, kF32, -1, 1, 16)}});
  CheckGradient({.op = "Deconvolution",
                 .attrs = {{"kernel", "(2, 2)"}, {"num_filter", "16"}, {"stride", "(2, 2)"},
                           {"no_bias", "False"}},
                 .inputs = {RandomArray({1, 16, 2, 2}, kF32, -1, 1, 35),
                            RandomArray({16, 16, 2, 2}, kF32, -1, 1, 36),
                            RandomArray({16}, kF32, -1, 1, 37)}});
  CheckGradient({.op = "Deconvolution",
                 .attrs = {{"kernel", "(3,)"}, {"num_filter", "2"}, {"stride", "(2,)"}},
                 .inputs = {RandomArray({1, 2, 4}, kF32, -1, 1, 17),
                            RandomArray({2, 2, 3}, kF32, -1, 1, 18)}});
}

GRAD_TEST(NnConvGrad, Pooling, "Pooling") {
  // oneDNN paths (float32): max (distinct values keep the argmax stable), avg both divisors.
  CheckGradient({.op = "Pooling",
                 .attrs = {{"kernel", "(2, 2)"}, {"stride", "(2, 2)"}, {"pool_type", "max"}},
                 .inputs = {RandomArrayAwayFromZero({2, 2, 4, 4}, kF32, 0.1, 1, 19)}});
  CheckGradient({.op = "Pooling",
                 .attrs = {{"kernel", "(3, 3)"}, {"stride", "(2, 2)"}, {"pad", "(1, 1)"},
                           {"pool_type", "avg"}},
                 .inputs = {RandomArray({1, 2, 5, 5}, kF32, -1, 1, 20)}});
  CheckGradient({.op = "Pooling",
                 .attrs = {{"kernel", "(3,)"}, {"stride", "(2,)"}, {"pad", "(1,)"},
                           {"pool_type", "avg"}, {"count_include_pad", "False"}},
                 .inputs = {RandomArray({2, 2, 7}, kF32, -1, 1, 21)}});
  // Hand-written paths (float64): sum, lp, avg with 'full', max in 3D.
  CheckGradient({.op = "Pooling",
                 .attrs = {{"kernel", "(2, 2)"}, {"stride", "(1, 2)"}, {"pool_type", "sum"}},
                 .inputs = {RandomArray({1, 2, 4, 5}, kF64, -1, 1, 22)}});
  for (const char* p : {"1", "2", "3"}) {
    CheckGradient({.op = "Pooling",
                   .attrs = {{"kernel", "(2, 2)"}, {"stride", "(2, 2)"}, {"pool_type", "lp"},
                             {"p_value", p}},
                   .inputs = {RandomArray({1, 2, 4, 4}, kF64, 0.2, 1, 23)}});
  }
  CheckGradient({.op = "Pooling",
                 .attrs = {{"kernel", "(2, 2)"}, {"stride", "(2, 2)"}, {"pool_type", "avg"},
                           {"pooling_convention", "full"}},
                 .inputs = {RandomArray({1, 2, 5, 5}, kF64, -1, 1, 24)}});
  CheckGradient({.op = "Pooling",
                 .attrs = {{"kernel", "(2, 2, 2)"}, {"pool_type", "max"}, {"global_pool", "False"}},
                 .inputs = {RandomArrayAwayFromZero({1, 1, 3, 3, 3}, kF64, 0.1, 1, 25)}});
  CheckGradient({.op = "Pooling",
                 .attrs = {{"global_pool", "True"}, {"pool_type", "avg"}},
                 .inputs = {RandomArray({2, 2, 3, 3}, kF32, -1, 1, 26)}});
}

GRAD_TEST(NnConvGrad, LRN, "LRN") {
  CheckGradient({.op = "LRN",
                 .attrs = {{"nsize", "3"}, {"alpha", "0.5"}, {"beta", "0.75"}, {"knorm", "1"}},
                 .inputs = {RandomArray({2, 5, 2, 2}, kF64, -1, 1, 27)}});
  CheckGradient({.op = "LRN",
                 .attrs = {{"nsize", "5"}, {"alpha", "0.3"}},
                 .inputs = {RandomArray({1, 6, 3}, kF32, -1, 1, 28)}});
}

}  // namespace
}  // namespace mixnet::test
