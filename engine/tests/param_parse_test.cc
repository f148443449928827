// The MXNet string-form parsers and printers behind every generated parameter struct.
#include "operator/param_parse.h"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <limits>
#include <random>
#include <string>

namespace mixnet::op::param {
namespace {

// Runs fn, expecting mixnet::Error of `kind` whose message equals `message`.
template <typename Fn>
void ExpectError(Fn&& fn, ErrorKind kind, const std::string& message) {
  try {
    fn();
    ADD_FAILURE() << "no error; expected: " << message;
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), kind) << e.what();
    EXPECT_EQ(std::string(e.what()), message);
  }
}

TEST(ParamParseTest, BoolAcceptsMXNetSpellings) {
  for (const char* t : {"True", "true", "TRUE", "1", " True "}) EXPECT_TRUE(ParseBool(t, "op", "b")) << t;
  for (const char* t : {"False", "false", "0"}) EXPECT_FALSE(ParseBool(t, "op", "b")) << t;
  ExpectError([] { ParseBool("maybe", "Reshape", "reverse"); }, ErrorKind::kTypeError,
              "Reshape: parameter 'reverse' expects a bool (True/False), got 'maybe'");
  ExpectError([] { ParseBool("2", "Reshape", "reverse"); }, ErrorKind::kTypeError,
              "Reshape: parameter 'reverse' expects a bool (True/False), got '2'");
}

TEST(ParamParseTest, IntsAndLongs) {
  EXPECT_EQ(ParseInt("3", "op", "k"), 3);
  EXPECT_EQ(ParseInt(" -1 ", "op", "k"), -1);
  EXPECT_EQ(ParseInt("+7", "op", "k"), 7);
  EXPECT_EQ(ParseInt("-2147483648", "op", "k"), std::numeric_limits<int>::min());
  EXPECT_EQ(ParseLong("-9223372036854775808", "op", "seed"), std::numeric_limits<int64_t>::min());
  EXPECT_EQ(ParseLong("9223372036854775807", "op", "seed"), std::numeric_limits<int64_t>::max());
  ExpectError([] { ParseInt("1.5", "topk", "k"); }, ErrorKind::kTypeError,
              "topk: parameter 'k' expects an int, got '1.5'");
  ExpectError([] { ParseInt("", "topk", "k"); }, ErrorKind::kTypeError,
              "topk: parameter 'k' expects an int, got ''");
  ExpectError([] { ParseInt("+-3", "topk", "k"); }, ErrorKind::kTypeError,
              "topk: parameter 'k' expects an int, got '+-3'");
  ExpectError([] { ParseInt("2147483648", "topk", "k"); }, ErrorKind::kValueError,
              "topk: parameter 'k' expects an int in [-2147483648, 2147483647], got '2147483648'");
  ExpectError([] { ParseLong("9223372036854775808", "op", "seed"); }, ErrorKind::kValueError,
              "op: parameter 'seed' expects an int64 in [-9223372036854775808, 9223372036854775807], "
              "got '9223372036854775808'");
}

TEST(ParamParseTest, FloatsIncludingSpecials) {
  EXPECT_EQ(ParseFloat("1e-5", "op", "eps"), 1e-5f);
  EXPECT_EQ(ParseFloat("0.5", "op", "eps"), 0.5f);
  EXPECT_EQ(ParseFloat("-3", "op", "eps"), -3.0f);
  EXPECT_EQ(ParseFloat(".5", "op", "eps"), 0.5f);
  EXPECT_EQ(ParseFloat("+2.5", "op", "eps"), 2.5f);
  EXPECT_EQ(ParseFloat("inf", "op", "x"), std::numeric_limits<float>::infinity());
  EXPECT_EQ(ParseFloat("-inf", "op", "x"), -std::numeric_limits<float>::infinity());
  EXPECT_EQ(ParseFloat("Infinity", "op", "x"), std::numeric_limits<float>::infinity());
  EXPECT_TRUE(std::isnan(ParseFloat("nan", "op", "x")));
  EXPECT_EQ(ParseDouble("1e-5", "op", "x"), 1e-5);
  EXPECT_EQ(ParseDouble("0.1", "op", "x"), 0.1);
  // Underflow rounds to zero as Python's float() does; overflow is out of range.
  EXPECT_EQ(ParseFloat("1e-50", "op", "x"), 0.0f);
  EXPECT_EQ(ParseDouble("1e-400", "op", "x"), 0.0);
  ExpectError([] { ParseFloat("1e39", "op", "x"); }, ErrorKind::kValueError,
              "op: parameter 'x' expects a float within the float32 range, got '1e39'");
  ExpectError([] { ParseDouble("1e400", "op", "x"); }, ErrorKind::kValueError,
              "op: parameter 'x' expects a double within the float64 range, got '1e400'");
  ExpectError([] { ParseFloat("abc", "LeakyReLU", "slope"); }, ErrorKind::kTypeError,
              "LeakyReLU: parameter 'slope' expects a float, got 'abc'");
  ExpectError([] { ParseFloat("1.5x", "LeakyReLU", "slope"); }, ErrorKind::kTypeError,
              "LeakyReLU: parameter 'slope' expects a float, got '1.5x'");
}

TEST(ParamParseTest, ShapesInEverySpelling) {
  EXPECT_EQ(ParseShape("(2, 3)", "op", "s"), Shape({2, 3}));
  EXPECT_EQ(ParseShape("[2,3]", "op", "s"), Shape({2, 3}));
  EXPECT_EQ(ParseShape("(3,)", "op", "s"), Shape({3}));
  EXPECT_EQ(ParseShape("3", "op", "s"), Shape({3}));
  EXPECT_EQ(ParseShape("()", "op", "s").ndim(), 0);
  EXPECT_EQ(ParseShape("[]", "op", "s").ndim(), 0);
  EXPECT_EQ(ParseShape("(0, 0, -4, 2, -1, -2)", "op", "s"), Shape({0, 0, -4, 2, -1, -2}));
  EXPECT_EQ(ParseShape("(1, 2, 3, 4, 5, 6, 7, 8)", "op", "s").ndim(), 8);  // beyond inline storage
  for (const char* bad : {"(2, x)", "(,)", "(2,,3)", "(2, 3", "", "2.5", "(None, 2)", "((2))"}) {
    try {
      ParseShape(bad, "Reshape", "shape");
      ADD_FAILURE() << bad;
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::kTypeError) << bad;
      EXPECT_EQ(std::string(e.what()),
                std::string("Reshape: parameter 'shape' expects a shape such as (2, 3), got '") + bad + "'");
    }
  }
}

TEST(ParamParseTest, IntOrNoneTuplesAndFloatTuples) {
  auto t = ParseIntOrNoneTuple("(None, 2)", "slice", "begin");
  ASSERT_EQ(t.size(), 2u);
  EXPECT_FALSE(t[0].has_value());
  EXPECT_EQ(t[1], 2);
  auto u = ParseIntOrNoneTuple("(None, 4, -1)", "slice", "end");
  ASSERT_EQ(u.size(), 3u);
  EXPECT_EQ(u[2], -1);
  auto single = ParseIntOrNoneTuple("None", "slice", "end");
  ASSERT_EQ(single.size(), 1u);
  EXPECT_FALSE(single[0].has_value());
  EXPECT_EQ(ParseIntOrNoneTuple("1", "slice", "end").at(0), 1);
  ExpectError([] { ParseIntOrNoneTuple("(None, x)", "slice", "begin"); }, ErrorKind::kTypeError,
              "slice: parameter 'begin' expects a tuple of ints or None such as (None, 2), got '(None, x)'");

  EXPECT_EQ(ParseFloatTuple("(0.5, 1.0)", "op", "scales"), (std::vector<double>{0.5, 1.0}));
  EXPECT_EQ(ParseFloatTuple("[1e-3]", "op", "scales"), (std::vector<double>{1e-3}));
  EXPECT_EQ(ParseFloatTuple("2", "op", "scales"), (std::vector<double>{2.0}));
  ExpectError([] { ParseFloatTuple("(0.5, y)", "op", "scales"); }, ErrorKind::kTypeError,
              "op: parameter 'scales' expects a tuple of floats such as (0.5, 1.0), got '(0.5, y)'");
}

TEST(ParamParseTest, DTypesNoneAndHiddenKeys) {
  EXPECT_EQ(ParseDTypeValue("float32", "op", "dtype"), DType::kFloat32);
  EXPECT_EQ(ParseDTypeValue("float", "op", "dtype"), DType::kFloat32);
  EXPECT_EQ(ParseDTypeValue("half", "op", "dtype"), DType::kFloat16);
  EXPECT_EQ(ParseDTypeValue("bfloat16", "op", "dtype"), DType::kBfloat16);
  EXPECT_EQ(ParseDTypeValue("int64", "op", "dtype"), DType::kInt64);
  ExpectError([] { ParseDTypeValue("float128", "Cast", "dtype"); }, ErrorKind::kTypeError,
              "Cast: parameter 'dtype' expects a dtype name (float32, float64, float16, bfloat16, uint8, "
              "int8, int32, int64, bool), got 'float128'");
  EXPECT_TRUE(IsNone("None"));
  EXPECT_TRUE(IsNone(" None "));
  EXPECT_FALSE(IsNone("none"));
  EXPECT_FALSE(IsNone("(None,)"));
  EXPECT_TRUE(IsHiddenKey("__shape__"));
  EXPECT_TRUE(IsHiddenKey("__lr_mult__"));
  EXPECT_FALSE(IsHiddenKey("__"));
  EXPECT_FALSE(IsHiddenKey("__shape"));
  EXPECT_FALSE(IsHiddenKey("shape__"));
}

TEST(ParamParseTest, RangeAndValueErrors) {
  CheckIntRange(5, 1, 10, "op", "k", "5");
  CheckIntRange(1, 1, std::nullopt, "op", "k", "1");
  ExpectError([] { CheckIntRange(11, 1, 10, "topk", "k", "11"); }, ErrorKind::kValueError,
              "topk: parameter 'k' expects a value in [1, 10], got '11'");
  ExpectError([] { CheckIntRange(0, 1, std::nullopt, "Concat", "num_args", "0"); }, ErrorKind::kValueError,
              "Concat: parameter 'num_args' expects a value >= 1, got '0'");
  ExpectError([] { CheckFloatRange(1.5, std::nullopt, 1.0, "Dropout", "p", "1.5"); },
              ErrorKind::kValueError, "Dropout: parameter 'p' expects a value <= 1.0, got '1.5'");
  ExpectError([] { CheckFloatRange(std::nan(""), 0.0, 1.0, "Dropout", "p", "nan"); },
              ErrorKind::kValueError, "Dropout: parameter 'p' expects a value in [0.0, 1.0], got 'nan'");
  const char* const values[] = {"max", "avg", "sum"};
  ExpectError([&] { ThrowNotInValues("Pooling", "pool_type", "min", values); }, ErrorKind::kValueError,
              "Pooling: parameter 'pool_type' expects one of 'max', 'avg', 'sum', got 'min'");
  const char* const known[] = {"shape", "reverse"};
  ExpectError([&] { ThrowUnknownParam("Reshape", "foo", known); }, ErrorKind::kNotFound,
              "Reshape: unknown parameter 'foo' (known parameters: shape, reverse)");
  ExpectError([] { ThrowUnknownParam("relu", "foo", {}); }, ErrorKind::kNotFound,
              "relu: unknown parameter 'foo' (the op takes no parameters)");
  ExpectError([] { ThrowMissingParam("Reshape", "shape"); }, ErrorKind::kValueError,
              "Reshape: required parameter 'shape' is missing");
}

TEST(ParamParseTest, FormatsAsMXNetWritesSymbolJSON) {
  // Python repr of the value, which is what MXNet's front end stores (ops.json: "1e-05", "0.001",
  // "1.0", "-1.0").
  EXPECT_EQ(FormatFloat(1e-5f), "1e-05");
  EXPECT_EQ(FormatFloat(0.001f), "0.001");
  EXPECT_EQ(FormatFloat(1.0f), "1.0");
  EXPECT_EQ(FormatFloat(-1.0f), "-1.0");
  EXPECT_EQ(FormatFloat(0.1f), "0.1");  // float32 digits, not 0.10000000149011612
  EXPECT_EQ(FormatFloat(0.8f), "0.8");
  EXPECT_EQ(FormatFloat(100000.0f), "100000.0");
  EXPECT_EQ(FormatFloat(3.4028235e38f), "3.4028235e+38");
  EXPECT_EQ(FormatDouble(0.1), "0.1");
  EXPECT_EQ(FormatDouble(0.0001), "0.0001");
  EXPECT_EQ(FormatDouble(1234567890123456.0), "1234567890123456.0");
  EXPECT_EQ(FormatDouble(1e16), "1e+16");
  EXPECT_EQ(FormatDouble(-2.5e-7), "-2.5e-07");
  EXPECT_EQ(FormatDouble(1.5e300), "1.5e+300");
  EXPECT_EQ(FormatDouble(0.30000000000000004), "0.30000000000000004");
  EXPECT_EQ(FormatDouble(std::numeric_limits<double>::infinity()), "inf");
  EXPECT_EQ(FormatDouble(-std::numeric_limits<double>::infinity()), "-inf");
  EXPECT_EQ(FormatDouble(std::nan("")), "nan");
  EXPECT_EQ(FormatDouble(-0.0), "-0.0");
  EXPECT_EQ(FormatDouble(0.0), "0.0");
  EXPECT_EQ(FormatBool(true), "True");
  EXPECT_EQ(FormatBool(false), "False");
  EXPECT_EQ(FormatInt(-9), "-9");
  EXPECT_EQ(FormatDType(DType::kBfloat16), "bfloat16");
  EXPECT_EQ(FormatDType(DType::kFloat32), "float32");
  EXPECT_EQ(FormatShape(Shape({2, 3})), "(2, 3)");
  EXPECT_EQ(FormatShape(Shape({3})), "(3,)");
  EXPECT_EQ(FormatShape(Shape()), "()");
  EXPECT_EQ(FormatIntOrNoneTuple({std::nullopt, 2}), "(None, 2)");
  EXPECT_EQ(FormatIntOrNoneTuple({std::nullopt}), "(None,)");
  EXPECT_EQ(FormatFloatTuple({0.5, 1.0}), "(0.5, 1.0)");
  EXPECT_EQ(FormatFloatTuple({2.0}), "(2.0,)");
}

// Strings as Apache MXNet 1.9.1 wrote them into symbol JSON (shared/fixtures ops.json): each
// parses and prints back unchanged.
TEST(ParamParseTest, MXNetStringsRoundTrip) {
  for (const char* s : {"(0, 0, -4, 2, -1, -2)", "(-2,)", "(1, 0, 2)", "(3,)", "(2, 2)", "()"})
    EXPECT_EQ(FormatShape(ParseShape(s, "op", "p")), s);
  for (const char* s : {"(None, 4)", "(None, 0)", "(0, 1)", "(2, -2)"})
    EXPECT_EQ(FormatIntOrNoneTuple(ParseIntOrNoneTuple(s, "op", "p")), s);
  for (const char* s : {"0.5", "-0.5", "1e-05", "0.001", "0.8", "2.0", "-1.0", "0.0", "0.3", "2.5"})
    EXPECT_EQ(FormatFloat(ParseFloat(s, "op", "p")), s);
  for (const char* s : {"True", "False"}) EXPECT_EQ(FormatBool(ParseBool(s, "op", "p")), s);
  for (const char* s : {"float16", "float32", "int32"})
    EXPECT_EQ(FormatDType(ParseDTypeValue(s, "op", "p")), s);
}

// Shortest round-trip: printing then parsing gives the same bits back, for many random values.
TEST(ParamParseTest, FloatFormattingRoundTripsExactly) {
  std::mt19937_64 rng(42);
  for (int i = 0; i < 20000; ++i) {
    uint64_t bits = rng();
    double d = std::bit_cast<double>(bits);
    float f = std::bit_cast<float>(static_cast<uint32_t>(bits >> 32));
    if (std::isfinite(d)) {
      ASSERT_EQ(std::bit_cast<uint64_t>(ParseDouble(FormatDouble(d), "op", "p")), bits) << FormatDouble(d);
    }
    if (std::isfinite(f)) {
      ASSERT_EQ(std::bit_cast<uint32_t>(ParseFloat(FormatFloat(f), "op", "p")), std::bit_cast<uint32_t>(f))
          << FormatFloat(f);
    }
  }
}

}  // namespace
}  // namespace mixnet::op::param
