#include "operator/param_parse.h"

#include <cctype>
#include <charconv>
#include <cmath>
#include <limits>
#include <sstream>

#include "common/error.h"

namespace mixnet::op::param {
std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

namespace {

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  }
  return true;
}

[[noreturn]] void ThrowBadValue(ErrorKind kind, const char* op, const char* param,
                                std::string_view text, std::string_view expected) {
  throw Error(kind, std::string(op) + ": parameter '" + param + "' expects " +
                        std::string(expected) + ", got '" + std::string(text) + "'");
}

// from_chars does not take a leading '+'; MXNet's (C++ stream based) parsers do.
std::string_view StripPlus(std::string_view s) {
  if (s.size() > 1 && s[0] == '+' && s[1] != '-' && s[1] != '+') s.remove_prefix(1);
  return s;
}

// Parses a whole integer; nullopt when it does not parse, sets *overflow when it does not fit.
std::optional<int64_t> ToInt64(std::string_view text, bool* overflow) {
  std::string_view s = StripPlus(Trim(text));
  int64_t v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ptr != s.data() + s.size()) {
    // An out-of-range number still consumes all digits; anything else is not an integer.
    if (ec == std::errc::result_out_of_range && ptr == s.data() + s.size()) *overflow = true;
    return std::nullopt;
  }
  if (ec == std::errc::result_out_of_range) {
    *overflow = true;
    return std::nullopt;
  }
  return v;
}

// True when an out-of-range decimal is tiny rather than huge: its exponent is negative.
bool HasNegativeExponent(std::string_view s) {
  size_t e = s.find_first_of("eE");
  return e != std::string_view::npos && e + 1 < s.size() && s[e + 1] == '-';
}

// Parses a whole floating-point number; sets *overflow when a finite value overflows T.
// Underflow rounds to zero or a subnormal, as Python's float() does.
template <typename T>
std::optional<T> ToFloat(std::string_view text, bool* overflow) {
  std::string_view s = StripPlus(Trim(text));
  if (s.empty()) return std::nullopt;
  T v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ptr != s.data() + s.size()) return std::nullopt;
  if (ec == std::errc()) return v;
  if (ec != std::errc::result_out_of_range) return std::nullopt;
  if (HasNegativeExponent(s)) {
    double d = 0;  // float underflow may still be a double subnormal/normal
    auto r = std::from_chars(s.data(), s.data() + s.size(), d);
    if (r.ec == std::errc()) return static_cast<T>(d);
    return s.front() == '-' ? -T(0) : T(0);
  }
  *overflow = true;
  return std::nullopt;
}

// "(a, b)", "[a,b]", "(a,)", "()" → items; a bare non-empty "a" → {a}. nullopt when malformed.
std::optional<std::vector<std::string_view>> SplitTuple(std::string_view text) {
  std::string_view s = Trim(text);
  if (s.empty()) return std::nullopt;
  std::vector<std::string_view> items;
  if (s.front() != '(' && s.front() != '[') {
    items.push_back(s);
    return items;
  }
  char close = s.front() == '(' ? ')' : ']';
  if (s.size() < 2 || s.back() != close) return std::nullopt;
  std::string_view inner = Trim(s.substr(1, s.size() - 2));
  if (inner.empty()) return items;
  size_t start = 0;
  while (true) {
    size_t comma = inner.find(',', start);
    std::string_view item = Trim(inner.substr(start, comma == std::string_view::npos ? inner.npos : comma - start));
    if (comma == std::string_view::npos) {
      if (!item.empty()) items.push_back(item);  // "(3,)": an empty last item is allowed
      break;
    }
    if (item.empty()) return std::nullopt;
    items.push_back(item);
    start = comma + 1;
  }
  if (items.empty()) return std::nullopt;  // "(,)"
  return items;
}

template <typename F>
std::string PyRepr(F x) {
  if (std::isnan(x)) return "nan";
  if (std::isinf(x)) return x > 0 ? "inf" : "-inf";
  if (x == 0) return std::signbit(x) ? "-0.0" : "0.0";
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof(buf), std::abs(x), std::chars_format::scientific);
  std::string_view sci(buf, static_cast<size_t>(r.ptr - buf));  // shortest: "1.5e-05"
  size_t e = sci.find('e');
  std::string digits;
  for (char c : sci.substr(0, e))
    if (c != '.') digits.push_back(c);
  int exp = 0;
  std::string_view exp_text = sci.substr(e + 1);
  bool exp_negative = exp_text.front() == '-';
  std::from_chars(exp_text.data() + 1, exp_text.data() + exp_text.size(), exp);
  if (exp_negative) exp = -exp;
  // Built with append(): GCC 12 warns falsely (-Wrestrict) on `"lit" + std::string&&`.
  std::string out = x < 0 ? "-" : "";
  if (exp < -4 || exp >= 16) {
    out.push_back(digits[0]);
    if (digits.size() > 1) out.append(".").append(digits, 1);
    std::string exp_digits = std::to_string(std::abs(exp));
    if (exp_digits.size() < 2) exp_digits.insert(exp_digits.begin(), '0');
    out.append(exp < 0 ? "e-" : "e+").append(exp_digits);
  } else if (exp < 0) {
    out.append("0.").append(static_cast<size_t>(-exp - 1), '0').append(digits);
  } else {
    const size_t int_digits = static_cast<size_t>(exp + 1);
    for (size_t i = 0; i < int_digits; ++i) out.push_back(i < digits.size() ? digits[i] : '0');
    out.push_back('.');
    if (digits.size() > int_digits) out.append(digits, int_digits);
    else out.push_back('0');
  }
  return out;
}

std::string TupleString(const std::vector<std::string>& items) {
  std::string out = "(";
  for (size_t i = 0; i < items.size(); ++i) {
    if (i) out += ", ";
    out += items[i];
  }
  if (items.size() == 1) out += ',';
  return out + ")";
}

struct DTypeSpelling {
  const char* name;
  DType type;
};
// Canonical names first: FormatDType prints the first spelling of a type.
constexpr DTypeSpelling kDTypeSpellings[] = {
    {"float32", DType::kFloat32}, {"float64", DType::kFloat64}, {"float16", DType::kFloat16},
    {"bfloat16", DType::kBfloat16}, {"uint8", DType::kUint8},   {"int8", DType::kInt8},
    {"int32", DType::kInt32},     {"int64", DType::kInt64},     {"bool", DType::kBool},
    {"float", DType::kFloat32},   {"double", DType::kFloat64},  {"half", DType::kFloat16},
};

constexpr const char* kIntExpected = "an int";
constexpr const char* kFloatExpected = "a float";

}  // namespace

bool IsNone(std::string_view text) { return Trim(text) == "None"; }

bool IsHiddenKey(std::string_view key) {
  return key.size() >= 4 && key.substr(0, 2) == "__" && key.substr(key.size() - 2) == "__";
}

int64_t ParseLong(std::string_view text, const char* op, const char* param) {
  bool overflow = false;
  auto v = ToInt64(text, &overflow);
  if (overflow) ThrowBadValue(ErrorKind::kValueError, op, param, text, "an int64 in [-9223372036854775808, 9223372036854775807]");
  if (!v) ThrowBadValue(ErrorKind::kTypeError, op, param, text, "an int64");
  return *v;
}

int ParseInt(std::string_view text, const char* op, const char* param) {
  bool overflow = false;
  auto v = ToInt64(text, &overflow);
  constexpr const char* kRange = "an int in [-2147483648, 2147483647]";
  if (overflow) ThrowBadValue(ErrorKind::kValueError, op, param, text, kRange);
  if (!v) ThrowBadValue(ErrorKind::kTypeError, op, param, text, kIntExpected);
  if (*v < std::numeric_limits<int>::min() || *v > std::numeric_limits<int>::max())
    ThrowBadValue(ErrorKind::kValueError, op, param, text, kRange);
  return static_cast<int>(*v);
}

float ParseFloat(std::string_view text, const char* op, const char* param) {
  bool overflow = false;
  auto v = ToFloat<float>(text, &overflow);
  if (overflow) ThrowBadValue(ErrorKind::kValueError, op, param, text, "a float within the float32 range");
  if (!v) ThrowBadValue(ErrorKind::kTypeError, op, param, text, kFloatExpected);
  return *v;
}

double ParseDouble(std::string_view text, const char* op, const char* param) {
  bool overflow = false;
  auto v = ToFloat<double>(text, &overflow);
  if (overflow) ThrowBadValue(ErrorKind::kValueError, op, param, text, "a double within the float64 range");
  if (!v) ThrowBadValue(ErrorKind::kTypeError, op, param, text, "a double");
  return *v;
}

bool ParseBool(std::string_view text, const char* op, const char* param) {
  std::string_view s = Trim(text);
  if (EqualsIgnoreCase(s, "true") || s == "1") return true;
  if (EqualsIgnoreCase(s, "false") || s == "0") return false;
  ThrowBadValue(ErrorKind::kTypeError, op, param, text, "a bool (True/False)");
}

DType ParseDTypeValue(std::string_view text, const char* op, const char* param) {
  std::string_view s = Trim(text);
  for (const auto& d : kDTypeSpellings)
    if (s == d.name) return d.type;
  ThrowBadValue(ErrorKind::kTypeError, op, param, text,
                "a dtype name (float32, float64, float16, bfloat16, uint8, int8, int32, int64, bool)");
}

Shape ParseShape(std::string_view text, const char* op, const char* param) {
  constexpr const char* kExpected = "a shape such as (2, 3)";
  auto items = SplitTuple(text);
  if (!items) ThrowBadValue(ErrorKind::kTypeError, op, param, text, kExpected);
  Shape shape;
  for (std::string_view item : *items) {
    bool overflow = false;
    auto v = ToInt64(item, &overflow);
    if (!v) ThrowBadValue(overflow ? ErrorKind::kValueError : ErrorKind::kTypeError, op, param, text, kExpected);
    shape.PushBack(*v);
  }
  return shape;
}

std::vector<std::optional<int64_t>> ParseIntOrNoneTuple(std::string_view text, const char* op,
                                                        const char* param) {
  constexpr const char* kExpected = "a tuple of ints or None such as (None, 2)";
  auto items = SplitTuple(text);
  if (!items) ThrowBadValue(ErrorKind::kTypeError, op, param, text, kExpected);
  std::vector<std::optional<int64_t>> out;
  for (std::string_view item : *items) {
    if (item == "None") {
      out.emplace_back(std::nullopt);
      continue;
    }
    bool overflow = false;
    auto v = ToInt64(item, &overflow);
    if (!v) ThrowBadValue(overflow ? ErrorKind::kValueError : ErrorKind::kTypeError, op, param, text, kExpected);
    out.emplace_back(*v);
  }
  return out;
}

std::vector<double> ParseFloatTuple(std::string_view text, const char* op, const char* param) {
  constexpr const char* kExpected = "a tuple of floats such as (0.5, 1.0)";
  auto items = SplitTuple(text);
  if (!items) ThrowBadValue(ErrorKind::kTypeError, op, param, text, kExpected);
  std::vector<double> out;
  for (std::string_view item : *items) {
    bool overflow = false;
    auto v = ToFloat<double>(item, &overflow);
    if (!v) ThrowBadValue(overflow ? ErrorKind::kValueError : ErrorKind::kTypeError, op, param, text, kExpected);
    out.push_back(*v);
  }
  return out;
}

namespace {
template <typename T, typename Fmt>
void CheckRangeImpl(T value, std::optional<T> lo, std::optional<T> hi, const char* op,
                    const char* param, std::string_view text, Fmt fmt) {
  bool below = lo && !(value >= *lo);  // written so that NaN fails
  bool above = hi && !(value <= *hi);
  if (!below && !above && !(lo && hi && value != value)) return;
  std::string expected;
  if (lo && hi) expected = "a value in [" + fmt(*lo) + ", " + fmt(*hi) + "]";
  else if (lo) expected = "a value >= " + fmt(*lo);
  else expected = "a value <= " + fmt(*hi);
  ThrowBadValue(ErrorKind::kValueError, op, param, text, expected);
}
}  // namespace

void CheckIntRange(int64_t value, std::optional<int64_t> lo, std::optional<int64_t> hi,
                   const char* op, const char* param, std::string_view text) {
  CheckRangeImpl(value, lo, hi, op, param, text, FormatInt);
}

void CheckFloatRange(double value, std::optional<double> lo, std::optional<double> hi,
                     const char* op, const char* param, std::string_view text) {
  CheckRangeImpl(value, lo, hi, op, param, text, FormatDouble);
}

void ThrowNotInValues(const char* op, const char* param, std::string_view text,
                      std::span<const char* const> values) {
  std::string expected = "one of ";
  for (size_t i = 0; i < values.size(); ++i) {
    if (i) expected += ", ";
    expected += std::string("'") + values[i] + "'";
  }
  ThrowBadValue(ErrorKind::kValueError, op, param, text, expected);
}

void ThrowUnknownParam(const char* op, std::string_view key, std::span<const char* const> known) {
  std::string msg = std::string(op) + ": unknown parameter '" + std::string(key) + "'";
  if (known.empty()) {
    msg += " (the op takes no parameters)";
  } else {
    msg += " (known parameters: ";
    for (size_t i = 0; i < known.size(); ++i) msg += (i ? ", " : "") + std::string(known[i]);
    msg += ")";
  }
  throw Error(ErrorKind::kNotFound, msg);
}

void ThrowMissingParam(const char* op, const char* param) {
  MX_THROW(ValueError) << op << ": required parameter '" << param << "' is missing";
}

std::string FormatInt(int64_t value) { return std::to_string(value); }
std::string FormatBool(bool value) { return value ? "True" : "False"; }
std::string FormatFloat(float value) { return PyRepr(value); }
std::string FormatDouble(double value) { return PyRepr(value); }

std::string FormatDType(DType value) {
  for (const auto& d : kDTypeSpellings)
    if (d.type == value) return d.name;
  return "unknown_dtype(" + std::to_string(static_cast<int>(value)) + ")";
}

std::string FormatShape(const Shape& value) {
  std::vector<std::string> items;
  for (int64_t d : value) items.push_back(std::to_string(d));
  return TupleString(items);
}

std::string FormatIntOrNoneTuple(const std::vector<std::optional<int64_t>>& value) {
  std::vector<std::string> items;
  for (const auto& d : value) items.push_back(d ? std::to_string(*d) : "None");
  return TupleString(items);
}

std::string FormatFloatTuple(const std::vector<double>& value) {
  std::vector<std::string> items;
  for (double d : value) items.push_back(FormatDouble(d));
  return TupleString(items);
}

}  // namespace mixnet::op::param
