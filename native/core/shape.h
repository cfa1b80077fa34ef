// Shapes: row-major (C order) dimension lists, and NumPy broadcasting.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace ml {

using Shape = std::vector<int64_t>;

int64_t shape_numel(const Shape& shape);
// "[2,3]"
std::string shape_str(const Shape& shape);
// NumPy broadcast of two shapes; throws ErrorKind::Shape naming op when they do not broadcast.
Shape broadcast_shapes(const Shape& a, const Shape& b, const char* op);
// Strides (in elements) of a tensor of shape `in`, aligned to the trailing axes of `out`,
// with 0 where `in` is stretched (size 1 or missing). in must broadcast to out.
std::vector<int64_t> broadcast_strides(const Shape& in, const Shape& out);
// Row-major strides of a contiguous tensor.
std::vector<int64_t> contiguous_strides(const Shape& shape);
// Throws ErrorKind::Shape/Value unless every dim is >= 0 and the element count fits in memory.
void check_shape_valid(const Shape& shape, const char* op);

}  // namespace ml
