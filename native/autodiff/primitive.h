// The primitives of lib/backend/primitives.ts: their ids and attributes. Their names, arities,
// kernels and derivative rules are rows of the op table (autodiff/op_table.h).
#pragma once
#include <string>
#include <vector>

#include "core/tensor.h"
#include "ops/ops.h"

namespace ml {

enum class Prim {
  Matmul,
  Add, Sub, Mul, Div,
  Neg, Exp, Log, Sqrt, Square, Relu, Tanh, Sigmoid, Softplus, Abs,
  AddScalar, MulScalar, PowScalar,
  ReluMask,
  Sum, BroadcastTo, Reshape, Concat, Slice,
  Softmax, LogSoftmax,
  Conv2d, Conv2dBackwardInput, Conv2dBackwardWeight,
  MaxPool2d, MaxPool2dSelect, MaxPool2dScatter,
  SquaredEuclidean,
  OneHot,
  Count,  // not a primitive: the number of primitives
};

// Attributes of every primitive in one flat struct; each primitive reads only its own fields.
struct Attrs {
  bool transA = false, transB = false;          // matmul
  double value = 0;                             // addScalar, mulScalar, powScalar
  std::vector<int64_t> axes;                    // sum
  bool keepDims = false;                        // sum
  Shape shape;                                  // broadcastTo, reshape; inputShape / weightShape of the conv backward ops
  int64_t axis = 0, start = 0, end = 0;         // concat (axis), slice
  ops::Pair stride{1, 1}, padding{0, 0};        // conv2d*, maxPool2d* (stride)
  ops::Pair kernel{1, 1};                       // maxPool2d*
  int64_t numClasses = 0;                       // oneHot
};

// Parses a primitive name ("matmul", "logSoftmax", ...); false when unknown.
bool prim_from_name(const std::string& name, Prim* out);
const char* prim_name(Prim prim);
// Number of tensor inputs; -1 for concat (one or more).
int prim_arity(Prim prim);
// Throws ErrorKind::Value unless `count` inputs fit the primitive.
void check_arity(Prim prim, size_t count);

// Applies the primitive's forward kernel.
Tensor prim_forward(Prim prim, const std::vector<Tensor>& inputs, const Attrs& attrs);

}  // namespace ml
