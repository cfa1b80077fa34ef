#include "ops/cpu/distance.h"

#include <vector>

#include "ops/cpu/blas_dispatch.h"

namespace ml::cpu {
namespace {

// Lanes of independent partial sums: the compiler turns the inner fixed-width loop into vector
// instructions (no reassociation of one long dependent chain, which strict IEEE forbids), so
// the norms run at SIMD throughput instead of one add latency per element.
constexpr int64_t kLanes = 16;

// |x_i|^2 for each row of x [rows, d]: kLanes partial sums per row, then their total.
template <class T>
std::vector<T> row_squared_norms(const T* x, int64_t rows, int64_t d) {
  std::vector<T> norms(static_cast<size_t>(rows));
  for (int64_t i = 0; i < rows; ++i) {
    const T* row = x + i * d;
    T lanes[kLanes] = {};
    int64_t k = 0;
    for (; k + kLanes <= d; k += kLanes)
      for (int64_t l = 0; l < kLanes; ++l) lanes[l] += row[k + l] * row[k + l];
    T s = 0;
    for (int64_t l = 0; l < kLanes; ++l) s += lanes[l];
    for (; k < d; ++k) s += row[k] * row[k];
    norms[static_cast<size_t>(i)] = s;
  }
  return norms;
}

}  // namespace

template <class T>
void squared_euclidean_forward(T* out, const T* a, const T* b, int64_t n, int64_t m, int64_t d) {
  if (n == 0 || m == 0) return;
  std::vector<T> a2 = row_squared_norms(a, n, d), b2 = row_squared_norms(b, m, d);
  if (d > 0) {
    // out = -2 a b^T
    gemm(false, true, static_cast<int>(n), static_cast<int>(m), static_cast<int>(d), T(-2), a, static_cast<int>(d), b,
         static_cast<int>(d), T(0), out, static_cast<int>(m));
  } else {
    for (int64_t i = 0; i < n * m; ++i) out[i] = T(0);
  }
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < m; ++j) {
      T v = out[i * m + j] + a2[i] + b2[j];
      out[i * m + j] = v < T(0) ? T(0) : v;
    }
}

template void squared_euclidean_forward<float>(float*, const float*, const float*, int64_t, int64_t, int64_t);
template void squared_euclidean_forward<double>(double*, const double*, const double*, int64_t, int64_t, int64_t);

}  // namespace ml::cpu
