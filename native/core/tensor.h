// A dense, contiguous, row-major tensor in CPU memory. Copies share storage (shared_ptr), so
// a Tensor is cheap to pass by value; kernels always write into freshly allocated outputs,
// which is what makes sharing safe.
#pragma once
#include <memory>

#include "core/dtype.h"
#include "core/shape.h"

namespace ml {

class Storage {
 public:
  explicit Storage(size_t bytes);
  ~Storage();
  Storage(const Storage&) = delete;
  Storage& operator=(const Storage&) = delete;
  void* data() const { return data_; }
  size_t bytes() const { return bytes_; }

 private:
  void* data_;
  size_t bytes_;
};

class Tensor {
 public:
  Tensor() = default;  // undefined (no storage): means "zero" for tangents and cotangents
  static Tensor empty(DType dtype, const Shape& shape);
  static Tensor zeros(DType dtype, const Shape& shape);
  static Tensor full(DType dtype, const Shape& shape, double value);

  bool defined() const { return storage_ != nullptr; }
  DType dtype() const { return dtype_; }
  const Shape& shape() const { return shape_; }
  int64_t rank() const { return static_cast<int64_t>(shape_.size()); }
  int64_t dim(int64_t i) const { return shape_[i]; }
  int64_t numel() const { return numel_; }
  size_t bytes() const { return static_cast<size_t>(numel_) * dtype_size(dtype_); }

  template <class T>
  T* data() const { return static_cast<T*>(storage_->data()); }
  void* raw() const { return storage_->data(); }

  // Same storage, new shape of the same element count.
  Tensor reshaped(const Shape& shape) const;
  Tensor clone() const;

 private:
  DType dtype_ = DType::F32;
  Shape shape_;
  int64_t numel_ = 0;
  std::shared_ptr<Storage> storage_;
};

}  // namespace ml
