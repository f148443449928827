// Helpers for engine tests: build arrays from host vectors, run ops by name, read results back.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "ndarray/ndarray.h"
#include "operator/imperative.h"

namespace mixnet::test {

using Attrs = std::vector<std::pair<std::string_view, std::string_view>>;

template <typename T>
NDArray Array(const Shape& shape, const std::vector<T>& values) {
  NDArray a(shape, Context::CPU(), DTypeOf<T>::value);
  EXPECT_EQ(static_cast<int64_t>(values.size()), shape.Size());
  if constexpr (std::is_same_v<T, bool>) {  // std::vector<bool> is packed: stage it
    std::unique_ptr<bool[]> staged(new bool[values.size()]);
    std::copy(values.begin(), values.end(), staged.get());
    a.SyncCopyFromCPU(staged.get(), values.size());
  } else {
    a.SyncCopyFromCPU(values.data(), values.size());
  }
  return a;
}

template <typename T>
std::vector<T> Values(const NDArray& a) {
  EXPECT_EQ(a.dtype(), DTypeOf<T>::value) << "dtype " << DTypeName(a.dtype());
  if constexpr (std::is_same_v<T, bool>) {  // std::vector<bool> is packed: stage it
    std::unique_ptr<bool[]> staged(new bool[static_cast<size_t>(a.Size())]);
    a.SyncCopyToCPU(staged.get(), static_cast<size_t>(a.Size()));
    return std::vector<bool>(staged.get(), staged.get() + a.Size());
  } else {
    std::vector<T> out(static_cast<size_t>(a.Size()));
    a.SyncCopyToCPU(out.data(), out.size());
    return out;
  }
}

// Runs an op and returns its outputs (shape/param errors throw, as in Invoke).
inline std::vector<NDArray> Run(std::string_view op, std::vector<NDArray> inputs,
                                const Attrs& attrs = {}) {
  return op::Invoke(op, inputs, attrs);
}

// Runs a single-output op.
inline NDArray Run1(std::string_view op, std::vector<NDArray> inputs, const Attrs& attrs = {}) {
  auto outs = Run(op, std::move(inputs), attrs);
  EXPECT_EQ(outs.size(), 1u);
  return outs.at(0);
}

// Runs fn and returns the mixnet::Error it throws (fails the test if it does not throw).
template <typename Fn>
Error Catch(Fn&& fn) {
  try {
    fn();
  } catch (const Error& e) {
    return e;
  }
  ADD_FAILURE() << "expected a mixnet::Error";
  return Error(ErrorKind::kInternal, "no error");
}

inline bool Contains(const Error& e, const std::string& s) {
  return std::string(e.what()).find(s) != std::string::npos;
}

}  // namespace mixnet::test
