// Data movement: concat and slice along one axis (reshape needs no kernel: storage is shared).
#pragma once
#include <vector>

#include "core/shape.h"

namespace ml::cpu {

// Each input i is viewed as [outer, inner_i] with inner_i = shape_i[axis] * prod(shape[axis+1:]);
// out: [outer, sum_i inner_i].
template <class T>
void concat_forward(T* out, const std::vector<const T*>& inputs, const std::vector<int64_t>& inner, int64_t outer);
// x viewed as [outer, dim, inner]; out: [outer, end - start, inner].
template <class T>
void slice_forward(T* out, const T* x, int64_t outer, int64_t dim, int64_t inner, int64_t start, int64_t end);

}  // namespace ml::cpu
