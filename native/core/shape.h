// Shapes: row-major (C order) dimension lists, and NumPy broadcasting.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace ml {

using Shape = std::vector<int64_t>;

// The element count; 0 when any dim is 0 (whatever the others). Throws ErrorKind::Shape on a
// negative dim or a product that overflows int64.
int64_t shape_numel(const Shape& shape);
// a * b and a + b of sizes (both >= 0); ErrorKind::Shape "<what>: size overflows" instead of
// wrapping. Every size computed from caller-controlled dims goes through these.
int64_t checked_mul(int64_t a, int64_t b, const std::string& what);
int64_t checked_add(int64_t a, int64_t b, const std::string& what);
// "[2,3]"
std::string shape_str(const Shape& shape);
// NumPy broadcast of two shapes; throws ErrorKind::Shape naming op when they do not broadcast.
Shape broadcast_shapes(const Shape& a, const Shape& b, const char* op);
// Strides (in elements) of a tensor of shape `in`, aligned to the trailing axes of `out`,
// with 0 where `in` is stretched (size 1 or missing). in must broadcast to out.
std::vector<int64_t> broadcast_strides(const Shape& in, const Shape& out);
// Row-major strides of a contiguous tensor (all 0 for an empty one: it has no elements to
// step over, and its dims' products may not fit int64).
std::vector<int64_t> contiguous_strides(const Shape& shape);
// Throws ErrorKind::Shape/Value unless every dim is >= 0 and the element count fits in memory.
void check_shape_valid(const Shape& shape, const char* op);

}  // namespace ml
