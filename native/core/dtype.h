// Element types: float32 (default) and float64 (gradient checks).
#pragma once
#include <cstddef>
#include <string>

namespace ml {

enum class DType { F32, F64 };

inline const char* dtype_name(DType dtype) { return dtype == DType::F32 ? "float32" : "float64"; }
inline size_t dtype_size(DType dtype) { return dtype == DType::F32 ? 4 : 8; }

// Calls f with a value of the C++ element type of dtype: f(float{}) or f(double{}).
// Use: dispatch_dtype(x.dtype(), [&](auto tag) { using T = decltype(tag); ... });
template <class F>
decltype(auto) dispatch_dtype(DType dtype, F&& f) {
  if (dtype == DType::F32) return f(float{});
  return f(double{});
}

}  // namespace ml
