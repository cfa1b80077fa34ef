// Sum over axes and NumPy broadcasting (its adjoint).
#pragma once
#include <vector>

#include "core/shape.h"

namespace ml::cpu {

// out: x_shape with the reduced axes set to 1 (element count of the result with or without keepDims).
// reduced[d] is true for every summed axis. Accumulates in double.
template <class T>
void sum_forward(T* out, const T* x, const Shape& x_shape, const std::vector<bool>& reduced);
// out: out_shape; x must broadcast to out_shape.
template <class T>
void broadcast_to_forward(T* out, const T* x, const Shape& x_shape, const Shape& out_shape);

}  // namespace ml::cpu
