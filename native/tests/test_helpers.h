// Helpers shared by the C++ tests: tensors from literals, element access, finite differences.
#pragma once
#include <random>
#include <vector>

#include "core/tensor.h"

namespace ml_test {

inline ml::Tensor make(const std::vector<double>& values, const ml::Shape& shape, ml::DType dtype = ml::DType::F64) {
  ml::Tensor t = ml::Tensor::empty(dtype, shape);
  ml::dispatch_dtype(dtype, [&](auto tag) {
    using T = decltype(tag);
    for (size_t i = 0; i < values.size(); ++i) t.data<T>()[i] = static_cast<T>(values[i]);
  });
  return t;
}

inline std::vector<double> values_of(const ml::Tensor& t) {
  std::vector<double> out(static_cast<size_t>(t.numel()));
  ml::dispatch_dtype(t.dtype(), [&](auto tag) {
    using T = decltype(tag);
    for (size_t i = 0; i < out.size(); ++i) out[i] = t.data<T>()[i];
  });
  return out;
}

// Uniform values in [lo, hi), float64.
inline ml::Tensor random_tensor(const ml::Shape& shape, std::mt19937& rng, double lo = -1.0, double hi = 1.0) {
  std::uniform_real_distribution<double> dist(lo, hi);
  ml::Tensor t = ml::Tensor::empty(ml::DType::F64, shape);
  for (int64_t i = 0; i < t.numel(); ++i) t.data<double>()[i] = dist(rng);
  return t;
}

inline double dot(const ml::Tensor& a, const ml::Tensor& b) {
  double s = 0;
  for (int64_t i = 0; i < a.numel(); ++i) s += a.data<double>()[i] * b.data<double>()[i];
  return s;
}

// x + eps * v (float64)
inline ml::Tensor axpy(const ml::Tensor& x, double eps, const ml::Tensor& v) {
  ml::Tensor out = x.clone();
  for (int64_t i = 0; i < x.numel(); ++i) out.data<double>()[i] += eps * v.data<double>()[i];
  return out;
}

inline double max_abs(const ml::Tensor& t) {
  double m = 0;
  for (double v : values_of(t)) m = std::max(m, std::fabs(v));
  return m;
}

// a - b elementwise (float64, same shape).
inline ml::Tensor ops_diff(const ml::Tensor& a, const ml::Tensor& b) {
  ml::Tensor out = a.clone();
  for (int64_t i = 0; i < a.numel(); ++i) out.data<double>()[i] -= b.data<double>()[i];
  return out;
}

}  // namespace ml_test
