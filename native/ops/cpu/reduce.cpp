#include "ops/cpu/reduce.h"

#include "ops/cpu/strided_walk.h"

namespace ml::cpu {

// Sums x over the reduced axes (kept as size 1). Accumulates in double; after collapsing the
// axes, a reduced inner axis is summed with 4 independent accumulators (the add latency, not
// bandwidth, bounds a single running sum).
template <class T>
void sum_forward(T* out, const T* x, const Shape& x_shape, const std::vector<bool>& reduced) {
  Shape kept = x_shape;
  for (size_t d = 0; d < kept.size(); ++d)
    if (reduced[d]) kept[d] = 1;
  int64_t out_n = shape_numel(kept);
  std::vector<double> acc(static_cast<size_t>(out_n), 0.0);
  if (shape_numel(x_shape) > 0) {
    std::vector<int64_t> sx = contiguous_strides(x_shape);
    StridedLayout layout = collapse_axes(x_shape, {sx, broadcast_strides(kept, x_shape)});
    const int64_t so = layout.strides[1].back();
    for_each_row<2>(layout, [&](const int64_t* off, int64_t inner) {
      const T* p = x + off[0];
      double* o = acc.data() + off[1];
      if (so == 0) {
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int64_t j = 0;
        for (; j + 4 <= inner; j += 4) {
          s0 += p[j];
          s1 += p[j + 1];
          s2 += p[j + 2];
          s3 += p[j + 3];
        }
        for (; j < inner; ++j) s0 += p[j];
        o[0] += (s0 + s1) + (s2 + s3);
      } else {
        for (int64_t j = 0; j < inner; ++j) o[j * so] += p[j];
      }
    });
  }
  for (int64_t i = 0; i < out_n; ++i) out[i] = static_cast<T>(acc[i]);
}

template <class T>
void broadcast_to_forward(T* out, const T* x, const Shape& x_shape, const Shape& out_shape) {
  if (shape_numel(out_shape) == 0) return;
  std::vector<int64_t> so = contiguous_strides(out_shape);
  StridedLayout layout = collapse_axes(out_shape, {so, broadcast_strides(x_shape, out_shape)});
  const int64_t si = layout.strides[1].back();
  for_each_row<2>(layout, [&](const int64_t* off, int64_t inner) {
    T* o = out + off[0];
    const T* p = x + off[1];
    if (si == 1) {
      for (int64_t j = 0; j < inner; ++j) o[j] = p[j];
    } else if (si == 0) {
      for (int64_t j = 0; j < inner; ++j) o[j] = p[0];
    } else {
      for (int64_t j = 0; j < inner; ++j) o[j] = p[j * si];
    }
  });
}

template void sum_forward<float>(float*, const float*, const Shape&, const std::vector<bool>&);
template void sum_forward<double>(double*, const double*, const Shape&, const std::vector<bool>&);
template void broadcast_to_forward<float>(float*, const float*, const Shape&, const Shape&);
template void broadcast_to_forward<double>(double*, const double*, const Shape&, const Shape&);

}  // namespace ml::cpu
