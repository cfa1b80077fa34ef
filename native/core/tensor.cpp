#include "core/tensor.h"

#include <cstdlib>
#include <cstring>
#include <new>
#include <vector>

#include "core/allocator.h"
#include "core/error.h"

namespace ml {

Storage::Storage(size_t bytes) : data_(acquire_block(bytes)), bytes_(bytes) {}

Storage::~Storage() { release_block(data_, bytes_); }

Tensor Tensor::empty(DType dtype, const Shape& shape) {
  check_shape_valid(shape, "tensor");
  Tensor t;
  t.dtype_ = dtype;
  t.shape_ = shape;
  t.numel_ = shape_numel(shape);
  try {
    t.storage_ = std::make_shared<Storage>(t.bytes());
  } catch (const Error& e) {
    // Name the tensor (built only on failure: this is the hot path of every op).
    if (e.kind() != ErrorKind::OutOfMemory) throw;
    fail(ErrorKind::OutOfMemory, std::string(e.what()) + " (a " + dtype_name(dtype) + " tensor of shape " +
                                     shape_str(shape) + ")");
  }
  return t;
}

Tensor Tensor::zeros(DType dtype, const Shape& shape) {
  Tensor t = empty(dtype, shape);
  std::memset(t.raw(), 0, t.bytes());
  return t;
}

Tensor Tensor::full(DType dtype, const Shape& shape, double value) {
  Tensor t = empty(dtype, shape);
  dispatch_dtype(dtype, [&](auto tag) {
    using T = decltype(tag);
    T* p = t.data<T>();
    for (int64_t i = 0; i < t.numel(); ++i) p[i] = static_cast<T>(value);
  });
  return t;
}

Tensor Tensor::reshaped(const Shape& shape) const {
  if (shape_numel(shape) != numel_)
    fail(ErrorKind::Shape, "reshape: cannot reshape " + shape_str(shape_) + " to " + shape_str(shape));
  Tensor t = *this;
  t.shape_ = shape;
  return t;
}

Tensor Tensor::clone() const {
  Tensor t = empty(dtype_, shape_);
  std::memcpy(t.raw(), raw(), bytes());
  return t;
}

}  // namespace ml
