// Metric-learning kernel: batched squared Euclidean distance.
#pragma once
#include <cstddef>
#include <cstdint>

namespace ml::cpu {

// out [n,m] = |a_i|^2 + |b_j|^2 - 2 a_i . b_j, clamped at >= 0 (NaN stays NaN); a [n,d], b [m,d].
template <class T>
void squared_euclidean_forward(T* out, const T* a, const T* b, int64_t n, int64_t m, int64_t d);

}  // namespace ml::cpu
