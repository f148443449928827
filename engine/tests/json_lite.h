// A tiny JSON reader for test fixtures (the engine has no JSON dependency). Numbers keep their
// source text, so a test converts them exactly (strtod / strtoll) for the dtype it expects.
// Errors throw std::runtime_error with the byte offset.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mixnet::test::json {

struct Value {
  enum class Kind { kNull, kBool, kNumber, kString, kArray, kObject };
  Kind kind = Kind::kNull;
  bool boolean = false;
  std::string text;  // a string's content, or a number's literal
  std::vector<Value> items;
  std::vector<std::pair<std::string, Value>> members;

  const Value& operator[](std::string_view key) const {
    for (const auto& [k, v] : members) {
      if (k == key) return v;
    }
    throw std::runtime_error("json: no key '" + std::string(key) + "'");
  }
  bool Has(std::string_view key) const {
    for (const auto& m : members) {
      if (m.first == key) return true;
    }
    return false;
  }
  // Numbers, or strings holding numbers (int64 values are stored as decimal strings).
  double AsDouble() const { return std::strtod(NumberText().c_str(), nullptr); }
  int64_t AsInt64() const { return std::strtoll(NumberText().c_str(), nullptr, 10); }

 private:
  const std::string& NumberText() const {
    if (kind != Kind::kNumber && kind != Kind::kString) {
      throw std::runtime_error("json: value is not a number");
    }
    return text;
  }
};

namespace detail {

class Parser {
 public:
  explicit Parser(std::string_view s) : s_(s) {}

  Value ParseDocument() {
    Value v = ParseValue();
    SkipSpace();
    if (i_ != s_.size()) Fail("trailing characters");
    return v;
  }

 private:
  [[noreturn]] void Fail(const std::string& what) const {
    throw std::runtime_error("json: " + what + " at offset " + std::to_string(i_));
  }
  void SkipSpace() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\n' || s_[i_] == '\r' || s_[i_] == '\t'))
      ++i_;
  }
  char Peek() {
    SkipSpace();
    if (i_ >= s_.size()) Fail("unexpected end");
    return s_[i_];
  }
  void Expect(char c) {
    if (Peek() != c) Fail(std::string("expected '") + c + "'");
    ++i_;
  }
  bool Literal(std::string_view word) {
    if (s_.substr(i_, word.size()) != word) return false;
    i_ += word.size();
    return true;
  }

  Value ParseValue() {
    Value v;
    const char c = Peek();
    if (c == '{') {
      v.kind = Value::Kind::kObject;
      ++i_;
      if (Peek() == '}') return ++i_, v;
      for (;;) {
        std::string key = ParseString();
        Expect(':');
        v.members.emplace_back(std::move(key), ParseValue());
        if (Peek() == ',') { ++i_; continue; }
        Expect('}');
        return v;
      }
    }
    if (c == '[') {
      v.kind = Value::Kind::kArray;
      ++i_;
      if (Peek() == ']') return ++i_, v;
      for (;;) {
        v.items.push_back(ParseValue());
        if (Peek() == ',') { ++i_; continue; }
        Expect(']');
        return v;
      }
    }
    if (c == '"') {
      v.kind = Value::Kind::kString;
      v.text = ParseString();
      return v;
    }
    if (Literal("true")) { v.kind = Value::Kind::kBool; v.boolean = true; return v; }
    if (Literal("false")) { v.kind = Value::Kind::kBool; return v; }
    if (Literal("null")) return v;
    const size_t start = i_;
    while (i_ < s_.size() && std::string_view("+-0123456789.eE").find(s_[i_]) != std::string_view::npos)
      ++i_;
    if (i_ == start) Fail("unexpected character");
    v.kind = Value::Kind::kNumber;
    v.text = std::string(s_.substr(start, i_ - start));
    return v;
  }

  // Strings in fixtures are ASCII; \uXXXX escapes are kept only for code points < 0x80.
  std::string ParseString() {
    Expect('"');
    std::string out;
    while (i_ < s_.size() && s_[i_] != '"') {
      char c = s_[i_++];
      if (c == '\\') {
        if (i_ >= s_.size()) Fail("bad escape");
        const char e = s_[i_++];
        switch (e) {
          case 'n': out += '\n'; break;
          case 't': out += '\t'; break;
          case 'r': out += '\r'; break;
          case 'b': out += '\b'; break;
          case 'f': out += '\f'; break;
          case 'u': {
            if (i_ + 4 > s_.size()) Fail("bad \\u escape");
            const long cp = std::strtol(std::string(s_.substr(i_, 4)).c_str(), nullptr, 16);
            if (cp >= 0x80) Fail("non-ASCII \\u escape");
            out += static_cast<char>(cp);
            i_ += 4;
            break;
          }
          default: out += e;
        }
      } else {
        out += c;
      }
    }
    if (i_ >= s_.size()) Fail("unterminated string");
    ++i_;
    return out;
  }

  std::string_view s_;
  size_t i_ = 0;
};

}  // namespace detail

inline Value Parse(std::string_view text) { return detail::Parser(text).ParseDocument(); }

inline Value ParseFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("json: cannot open " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  return Parse(ss.str());
}

}  // namespace mixnet::test::json
