#include "ops/cpu/reduce.h"

namespace ml::cpu {

template <class T>
void sum_forward(T* out, const T* x, const Shape& x_shape, const std::vector<bool>& reduced) {
  Shape kept = x_shape;
  for (size_t d = 0; d < kept.size(); ++d)
    if (reduced[d]) kept[d] = 1;
  int64_t out_n = shape_numel(kept);
  std::vector<double> acc(static_cast<size_t>(out_n), 0.0);
  int64_t n = shape_numel(x_shape);
  int64_t rank = static_cast<int64_t>(x_shape.size());
  if (n > 0 && rank == 0) acc[0] = x[0];
  if (n > 0 && rank > 0) {
    // Walk x in order; `o` is the offset into out of the current element (stride 0 on reduced axes).
    std::vector<int64_t> so = broadcast_strides(kept, x_shape);
    std::vector<int64_t> index(rank, 0);
    int64_t inner = x_shape[rank - 1], si = so[rank - 1], o = 0;
    for (int64_t i = 0; i < n; i += inner) {
      if (si == 0) {
        double s = 0;
        for (int64_t j = 0; j < inner; ++j) s += x[i + j];
        acc[o] += s;
      } else {
        for (int64_t j = 0; j < inner; ++j) acc[o + j] += x[i + j];
      }
      for (int64_t d = rank - 2; d >= 0; --d) {
        ++index[d];
        o += so[d];
        if (index[d] < x_shape[d]) break;
        o -= so[d] * x_shape[d];
        index[d] = 0;
      }
    }
  }
  for (int64_t i = 0; i < out_n; ++i) out[i] = static_cast<T>(acc[i]);
}

template <class T>
void broadcast_to_forward(T* out, const T* x, const Shape& x_shape, const Shape& out_shape) {
  int64_t n = shape_numel(out_shape);
  int64_t rank = static_cast<int64_t>(out_shape.size());
  if (n == 0) return;
  if (rank == 0) {
    out[0] = x[0];
    return;
  }
  std::vector<int64_t> sx = broadcast_strides(x_shape, out_shape);
  std::vector<int64_t> index(rank, 0);
  int64_t inner = out_shape[rank - 1], si = sx[rank - 1], ox = 0;
  for (int64_t o = 0; o < n; o += inner) {
    for (int64_t j = 0; j < inner; ++j) out[o + j] = x[ox + j * si];
    for (int64_t d = rank - 2; d >= 0; --d) {
      ++index[d];
      ox += sx[d];
      if (index[d] < out_shape[d]) break;
      ox -= sx[d] * out_shape[d];
      index[d] = 0;
    }
  }
}

template void sum_forward<float>(float*, const float*, const Shape&, const std::vector<bool>&);
template void sum_forward<double>(double*, const double*, const Shape&, const std::vector<bool>&);
template void broadcast_to_forward<float>(float*, const float*, const Shape&, const Shape&);
template void broadcast_to_forward<double>(double*, const double*, const Shape&, const Shape&);

}  // namespace ml::cpu
