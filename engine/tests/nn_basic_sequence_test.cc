// SequenceMask, SequenceLast and add_n: values against hand-computed results (with and without
// lengths, axis 0 and 1), gradients (kernel and numeric), errors.
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "elemwise_test_util.h"
#include "grad_check_util.h"
#include "nn_basic_test_util.h"
#include "test_util.h"

namespace mixnet::test {
namespace {

// (seq=3, batch=2, 2): element (t, b, j) = 100 t + 10 b + j.
NDArray SeqData() {
  std::vector<float> v;
  for (int t = 0; t < 3; ++t)
    for (int b = 0; b < 2; ++b)
      for (int j = 0; j < 2; ++j) v.push_back(static_cast<float>(100 * t + 10 * b + j));
  return Array<float>({3, 2, 2}, v);
}

TEST(NnBasicSequenceMask, Axis0WithAndWithoutLengths) {
  NDArray x = SeqData();
  EXPECT_EQ(Values<float>(Run1("SequenceMask", {x})), Values<float>(x));
  NDArray len = Array<float>({2}, {1, 3});
  NDArray y = Run1("SequenceMask", {x, len}, {{"use_sequence_length", "True"}, {"value", "-1"}});
  EXPECT_EQ(Values<float>(y),
            (std::vector<float>{0, 1, 10, 11, -1, -1, 110, 111, -1, -1, 210, 211}));
}

TEST(NnBasicSequenceMask, Axis1IntLengths) {
  // (batch=2, seq=3): lengths 2 and 0.
  NDArray x = Array<double>({2, 3}, {1, 2, 3, 4, 5, 6});
  NDArray len = Array<int32_t>({2}, {2, 0});
  NDArray y = Run1("SequenceMask", {x, len},
                   {{"use_sequence_length", "1"}, {"axis", "1"}, {"value", "9"}});
  EXPECT_EQ(Values<double>(y), (std::vector<double>{1, 2, 9, 9, 9, 9}));
}

TEST(NnBasicSequenceMask, GradientZeroesMaskedSteps) {
  NDArray x = Array<double>({2, 3}, {1, 2, 3, 4, 5, 6});
  NDArray len = Array<double>({2}, {1, 3});
  NDArray dy = Array<double>({2, 3}, {1, 1, 1, 1, 1, 1});
  auto g = Backward("SequenceMask", {{"use_sequence_length", "1"}, {"axis", "1"}}, {x, len}, dy);
  EXPECT_EQ(Values<double>(g[0]), (std::vector<double>{1, 0, 0, 1, 1, 1}));
  EXPECT_EQ(Values<double>(g[1]), (std::vector<double>{0, 0}));
}

TEST(NnBasicSequenceLast, Axis0AndAxis1) {
  NDArray x = SeqData();
  NDArray last = Run1("SequenceLast", {x});
  EXPECT_EQ(last.shape(), (Shape{2, 2}));
  EXPECT_EQ(Values<float>(last), (std::vector<float>{200, 201, 210, 211}));
  NDArray len = Array<float>({2}, {2, 1});
  EXPECT_EQ(Values<float>(Run1("SequenceLast", {x, len}, {{"use_sequence_length", "True"}})),
            (std::vector<float>{100, 101, 10, 11}));
  // axis=1: (batch=2, seq=3).
  NDArray x1 = Array<double>({2, 3}, {1, 2, 3, 4, 5, 6});
  EXPECT_EQ(Values<double>(Run1("SequenceLast", {x1}, {{"axis", "1"}})),
            (std::vector<double>{3, 6}));
  NDArray len1 = Array<int64_t>({2}, {1, 2});
  NDArray y1 = Run1("SequenceLast", {x1, len1}, {{"axis", "1"}, {"use_sequence_length", "1"}});
  EXPECT_EQ(y1.shape(), (Shape{2}));
  EXPECT_EQ(Values<double>(y1), (std::vector<double>{1, 5}));
  NDArray dy = Array<double>({2}, {7, 8});
  auto g = Backward("SequenceLast", {{"axis", "1"}, {"use_sequence_length", "1"}}, {x1, len1}, dy);
  EXPECT_EQ(Values<double>(g[0]), (std::vector<double>{7, 0, 0, 0, 8, 0}));
}

TEST(NnBasicSequence, Errors) {
  NDArray x = SeqData();
  auto e = CatchError([&] {
    Run1("SequenceMask", {x, Array<float>({3}, {1, 1, 1})}, {{"use_sequence_length", "1"}});
  });
  EXPECT_EQ(e.first, ErrorKind::kValueError);
  EXPECT_NE(e.second.find("(2,)"), std::string::npos) << e.second;
  EXPECT_EQ(CatchError([&] { Run1("SequenceMask", {Array<float>({3}, {1, 2, 3})}); }).first,
            ErrorKind::kValueError);
  EXPECT_EQ(CatchError([&] { Run1("SequenceLast", {x}, {{"axis", "2"}}); }).first,
            ErrorKind::kValueError);
  // A length of 0 has no last step: the error surfaces at the next read.
  e = CatchError([&] {
    NDArray y = Run1("SequenceLast", {x, Array<float>({2}, {0, 1})},
                     {{"use_sequence_length", "1"}});
    y.WaitToRead();
  });
  EXPECT_EQ(e.first, ErrorKind::kValueError);
  EXPECT_NE(e.second.find("sequence_length[0] is 0"), std::string::npos) << e.second;
}

GRAD_TEST(NnBasicSequenceGrad, MaskAndLast, "SequenceMask", "SequenceLast") {
  NDArray x = RandomArray({3, 2, 2}, DType::kFloat64, -1, 1, 51);
  NDArray len = ArrayFromDoubles({2}, DType::kFloat64, {2, 3});
  CheckGradient({.op = "SequenceMask", .attrs = {{"value", "0.5"}}, .inputs = {x}});
  CheckGradient({.op = "SequenceMask", .attrs = {{"use_sequence_length", "1"}, {"value", "-2"}},
                 .inputs = {x, len}, .wrt = {0}});
  CheckGradient({.op = "SequenceMask", .attrs = {{"use_sequence_length", "1"}, {"axis", "1"}},
                 .inputs = {RandomArray({2, 3, 2}, DType::kFloat64, -1, 1, 52), len}, .wrt = {0}});
  CheckGradient({.op = "SequenceLast", .inputs = {x}});
  CheckGradient({.op = "SequenceLast", .attrs = {{"use_sequence_length", "1"}},
                 .inputs = {x, ArrayFromDoubles({2}, DType::kFloat64, {1, 3})}, .wrt = {0}});
  CheckGradient({.op = "SequenceLast", .attrs = {{"use_sequence_length", "1"}, {"axis", "1"}},
                 .inputs = {RandomArray({2, 3}, DType::kFloat64, -1, 1, 53), len}, .wrt = {0}});
}

TEST(NnBasicAddN, SumsAndAliases) {
  NDArray a = Array<float>({2, 2}, {1, 2, 3, 4});
  NDArray b = Array<float>({2, 2}, {10, 20, 30, 40});
  NDArray c = Array<float>({2, 2}, {100, 200, 300, 400});
  EXPECT_EQ(Values<float>(Run1("add_n", {a, b, c})), (std::vector<float>{111, 222, 333, 444}));
  EXPECT_EQ(Values<float>(Run1("ElementWiseSum", {a}, {{"num_args", "1"}})), Values<float>(a));
  // out = b (an input other than the first) still sees b's old values.
  op::Invoke("add_n", std::vector<NDArray>{a, b, c}, {}, {b});
  EXPECT_EQ(Values<float>(b), (std::vector<float>{111, 222, 333, 444}));
  NDArray i = Array<int32_t>({3}, {1, 2, 3});
  EXPECT_EQ(Values<int32_t>(Run1("add_n", {i, i})), (std::vector<int32_t>{2, 4, 6}));
  // A large sum over several threads.
  std::vector<double> big(100000);
  for (size_t k = 0; k < big.size(); ++k) big[k] = static_cast<double>(k);
  NDArray x = Array<double>({100000}, big);
  std::vector<double> got = Values<double>(Run1("add_n", {x, x, x}));
  for (size_t k = 0; k < big.size(); k += 997) EXPECT_EQ(got[k], 3.0 * big[k]);
}

TEST(NnBasicAddN, Errors) {
  NDArray a = Array<float>({2, 2}, {1, 2, 3, 4});
  auto e = CatchError([&] { Run1("add_n", {a, Array<float>({4}, {1, 2, 3, 4})}); });
  EXPECT_EQ(e.first, ErrorKind::kValueError);
  EXPECT_NE(e.second.find("(4,)"), std::string::npos) << e.second;
  EXPECT_EQ(CatchError([&] { Run1("add_n", {a, Array<double>({2, 2}, {1, 2, 3, 4})}); }).first,
            ErrorKind::kTypeError);
  EXPECT_EQ(CatchError([&] { Run1("add_n", {a, a}, {{"num_args", "3"}}); }).first,
            ErrorKind::kValueError);
}

GRAD_TEST(NnBasicAddNGrad, ThreeInputs, "add_n") {
  CheckGradient({.op = "add_n", .attrs = {{"num_args", "3"}},
                 .inputs = {RandomArray({2, 3}, DType::kFloat64, -1, 1, 61),
                            RandomArray({2, 3}, DType::kFloat64, -1, 1, 62),
                            RandomArray({2, 3}, DType::kFloat64, -1, 1, 63)}});
}

}  // namespace
}  // namespace mixnet::test
