#include "core/shape.h"

#include <algorithm>

#include "core/error.h"

namespace ml {

int64_t checked_mul(int64_t a, int64_t b, const std::string& what) {
  int64_t out;
  if (a < 0 || b < 0 || __builtin_mul_overflow(a, b, &out))
    fail(ErrorKind::Shape, what + ": size " + std::to_string(a) + " x " + std::to_string(b) + " overflows");
  return out;
}

int64_t checked_add(int64_t a, int64_t b, const std::string& what) {
  int64_t out;
  if (a < 0 || b < 0 || __builtin_add_overflow(a, b, &out))
    fail(ErrorKind::Shape, what + ": size " + std::to_string(a) + " + " + std::to_string(b) + " overflows");
  return out;
}

int64_t shape_numel(const Shape& shape) {
  for (int64_t d : shape) {
    if (d < 0) fail(ErrorKind::Shape, "shape " + shape_str(shape) + " has a negative dimension");
    if (d == 0) return 0;
  }
  int64_t n = 1;
  for (int64_t d : shape) n = checked_mul(n, d, "element count of shape " + shape_str(shape));
  return n;
}

std::string shape_str(const Shape& shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i) s += ",";
    s += std::to_string(shape[i]);
  }
  return s + "]";
}

Shape broadcast_shapes(const Shape& a, const Shape& b, const char* op) {
  size_t rank = std::max(a.size(), b.size());
  Shape out(rank);
  for (size_t i = 0; i < rank; ++i) {
    int64_t da = i < rank - a.size() ? 1 : a[i - (rank - a.size())];
    int64_t db = i < rank - b.size() ? 1 : b[i - (rank - b.size())];
    if (da != db && da != 1 && db != 1)
      fail(ErrorKind::Shape, std::string(op) + ": shapes " + shape_str(a) + " and " + shape_str(b) + " do not broadcast");
    out[i] = da == 1 ? db : da;
  }
  return out;
}

std::vector<int64_t> contiguous_strides(const Shape& shape) {
  std::vector<int64_t> strides(shape.size(), 0);
  if (shape_numel(shape) == 0) return strides;
  int64_t s = 1;
  for (size_t i = shape.size(); i-- > 0;) {
    strides[i] = s;
    s *= shape[i];
  }
  return strides;
}

std::vector<int64_t> broadcast_strides(const Shape& in, const Shape& out) {
  std::vector<int64_t> in_strides = contiguous_strides(in);
  std::vector<int64_t> strides(out.size(), 0);
  size_t offset = out.size() - in.size();
  for (size_t i = 0; i < in.size(); ++i) strides[offset + i] = in[i] == 1 ? 0 : in_strides[i];
  return strides;
}

void check_shape_valid(const Shape& shape, const char* op) {
  double total = 1;
  for (int64_t d : shape) {
    if (d < 0) fail(ErrorKind::Shape, std::string(op) + ": negative dimension in shape " + shape_str(shape));
    total *= static_cast<double>(d);
  }
  if (total > 4e9) fail(ErrorKind::Value, std::string(op) + ": shape " + shape_str(shape) + " is too large");
}

}  // namespace ml
