#include "ops/cpu/softmax.h"

#include <cmath>

namespace ml::cpu {
namespace {

template <class T>
T row_max(const T* x, int64_t cols) {
  T m = x[0];
  for (int64_t j = 1; j < cols; ++j)
    if (x[j] > m) m = x[j];
  return m;
}

}  // namespace

template <class T>
void softmax_forward(T* out, const T* x, int64_t rows, int64_t cols) {
  if (cols == 0) return;
  for (int64_t r = 0; r < rows; ++r) {
    const T* xr = x + r * cols;
    T* yr = out + r * cols;
    T m = row_max(xr, cols);
    double total = 0;
    for (int64_t j = 0; j < cols; ++j) {
      yr[j] = std::exp(xr[j] - m);
      total += yr[j];
    }
    T inv = static_cast<T>(1.0 / total);
    for (int64_t j = 0; j < cols; ++j) yr[j] *= inv;
  }
}

template <class T>
void log_softmax_forward(T* out, const T* x, int64_t rows, int64_t cols) {
  if (cols == 0) return;
  for (int64_t r = 0; r < rows; ++r) {
    const T* xr = x + r * cols;
    T* yr = out + r * cols;
    T m = row_max(xr, cols);
    double total = 0;
    for (int64_t j = 0; j < cols; ++j) total += std::exp(static_cast<double>(xr[j] - m));
    T log_total = static_cast<T>(std::log(total));
    for (int64_t j = 0; j < cols; ++j) yr[j] = xr[j] - m - log_total;
  }
}

template void softmax_forward<float>(float*, const float*, int64_t, int64_t);
template void softmax_forward<double>(double*, const double*, int64_t, int64_t);
template void log_softmax_forward<float>(float*, const float*, int64_t, int64_t);
template void log_softmax_forward<double>(double*, const double*, int64_t, int64_t);

}  // namespace ml::cpu
