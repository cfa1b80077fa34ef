#include "ops/cpu/shape_ops.h"

#include <cstring>

namespace ml::cpu {

template <class T>
void concat_forward(T* out, const std::vector<const T*>& inputs, const std::vector<int64_t>& inner, int64_t outer) {
  for (int64_t o = 0; o < outer; ++o) {
    for (size_t i = 0; i < inputs.size(); ++i) {
      std::memcpy(out, inputs[i] + o * inner[i], static_cast<size_t>(inner[i]) * sizeof(T));
      out += inner[i];
    }
  }
}

template <class T>
void slice_forward(T* out, const T* x, int64_t outer, int64_t dim, int64_t inner, int64_t start, int64_t end) {
  int64_t len = (end - start) * inner;
  for (int64_t o = 0; o < outer; ++o)
    std::memcpy(out + o * len, x + (o * dim + start) * inner, static_cast<size_t>(len) * sizeof(T));
}

template void concat_forward<float>(float*, const std::vector<const float*>&, const std::vector<int64_t>&, int64_t);
template void concat_forward<double>(double*, const std::vector<const double*>&, const std::vector<int64_t>&, int64_t);
template void slice_forward<float>(float*, const float*, int64_t, int64_t, int64_t, int64_t, int64_t);
template void slice_forward<double>(double*, const double*, int64_t, int64_t, int64_t, int64_t, int64_t);

}  // namespace ml::cpu
