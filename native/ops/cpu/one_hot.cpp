#include "ops/cpu/one_hot.h"

#include <cmath>

namespace ml::cpu {

template <class T>
int64_t one_hot_first_invalid(const T* labels, int64_t n, int64_t classes) {
  for (int64_t i = 0; i < n; ++i) {
    T v = labels[i];
    // NaN fails every comparison, so it is caught by the first test.
    if (!(v >= T(0)) || !(v < static_cast<T>(classes)) || std::floor(v) != v) return i;
  }
  return -1;
}

template <class T>
void one_hot_forward(T* out, const T* labels, int64_t n, int64_t classes) {
  for (int64_t i = 0; i < n * classes; ++i) out[i] = T(0);
  for (int64_t i = 0; i < n; ++i) out[i * classes + static_cast<int64_t>(labels[i])] = T(1);
}

template int64_t one_hot_first_invalid<float>(const float*, int64_t, int64_t);
template int64_t one_hot_first_invalid<double>(const double*, int64_t, int64_t);
template void one_hot_forward<float>(float*, const float*, int64_t, int64_t);
template void one_hot_forward<double>(double*, const double*, int64_t, int64_t);

}  // namespace ml::cpu
