#include "autodiff/primitive.h"

#include "core/error.h"

namespace ml {
namespace {

struct PrimInfo {
  Prim prim;
  const char* name;
  int arity;
};

const PrimInfo kPrims[] = {
    {Prim::Matmul, "matmul", 2},
    {Prim::Add, "add", 2}, {Prim::Sub, "sub", 2}, {Prim::Mul, "mul", 2}, {Prim::Div, "div", 2},
    {Prim::Neg, "neg", 1}, {Prim::Exp, "exp", 1}, {Prim::Log, "log", 1}, {Prim::Sqrt, "sqrt", 1},
    {Prim::Square, "square", 1}, {Prim::Relu, "relu", 1}, {Prim::Tanh, "tanh", 1}, {Prim::Sigmoid, "sigmoid", 1},
    {Prim::Softplus, "softplus", 1}, {Prim::Abs, "abs", 1},
    {Prim::AddScalar, "addScalar", 1}, {Prim::MulScalar, "mulScalar", 1}, {Prim::PowScalar, "powScalar", 1},
    {Prim::ReluMask, "reluMask", 2},
    {Prim::Sum, "sum", 1}, {Prim::BroadcastTo, "broadcastTo", 1}, {Prim::Reshape, "reshape", 1},
    {Prim::Concat, "concat", -1}, {Prim::Slice, "slice", 1},
    {Prim::Softmax, "softmax", 1}, {Prim::LogSoftmax, "logSoftmax", 1},
    {Prim::Conv2d, "conv2d", 2}, {Prim::Conv2dBackwardInput, "conv2dBackwardInput", 2},
    {Prim::Conv2dBackwardWeight, "conv2dBackwardWeight", 2},
    {Prim::MaxPool2d, "maxPool2d", 1}, {Prim::MaxPool2dSelect, "maxPool2dSelect", 2},
    {Prim::MaxPool2dScatter, "maxPool2dScatter", 2},
    {Prim::SquaredEuclidean, "squaredEuclidean", 2},
    {Prim::OneHot, "oneHot", 1},
};

const PrimInfo& info(Prim prim) {
  for (const PrimInfo& p : kPrims)
    if (p.prim == prim) return p;
  fail(ErrorKind::Internal, "unknown primitive id");
}

}  // namespace

bool prim_from_name(const std::string& name, Prim* out) {
  for (const PrimInfo& p : kPrims)
    if (name == p.name) {
      *out = p.prim;
      return true;
    }
  return false;
}

const char* prim_name(Prim prim) { return info(prim).name; }
int prim_arity(Prim prim) { return info(prim).arity; }

void check_arity(Prim prim, size_t count) {
  int arity = prim_arity(prim);
  bool ok = arity < 0 ? count >= 1 : count == static_cast<size_t>(arity);
  if (!ok)
    fail(ErrorKind::Value, std::string(prim_name(prim)) + ": expects " +
                               (arity < 0 ? std::string("at least 1") : std::to_string(arity)) + " inputs, got " +
                               std::to_string(count));
}

Tensor prim_forward(Prim prim, const std::vector<Tensor>& x, const Attrs& a) {
  check_arity(prim, x.size());
  switch (prim) {
    case Prim::Matmul: return ops::matmul(x[0], x[1], a.transA, a.transB);
    case Prim::Add: return ops::add(x[0], x[1]);
    case Prim::Sub: return ops::sub(x[0], x[1]);
    case Prim::Mul: return ops::mul(x[0], x[1]);
    case Prim::Div: return ops::div(x[0], x[1]);
    case Prim::Neg: return ops::neg(x[0]);
    case Prim::Exp: return ops::exp(x[0]);
    case Prim::Log: return ops::log(x[0]);
    case Prim::Sqrt: return ops::sqrt(x[0]);
    case Prim::Square: return ops::square(x[0]);
    case Prim::Relu: return ops::relu(x[0]);
    case Prim::Tanh: return ops::tanh(x[0]);
    case Prim::Sigmoid: return ops::sigmoid(x[0]);
    case Prim::Softplus: return ops::softplus(x[0]);
    case Prim::Abs: return ops::abs(x[0]);
    case Prim::AddScalar: return ops::add_scalar(x[0], a.value);
    case Prim::MulScalar: return ops::mul_scalar(x[0], a.value);
    case Prim::PowScalar: return ops::pow_scalar(x[0], a.value);
    case Prim::ReluMask: return ops::relu_mask(x[0], x[1]);
    case Prim::Sum: return ops::sum(x[0], a.axes, a.keepDims);
    case Prim::BroadcastTo: return ops::broadcast_to(x[0], a.shape);
    case Prim::Reshape: return ops::reshape(x[0], a.shape);
    case Prim::Concat: return ops::concat(x, a.axis);
    case Prim::Slice: return ops::slice(x[0], a.axis, a.start, a.end);
    case Prim::Softmax: return ops::softmax(x[0]);
    case Prim::LogSoftmax: return ops::log_softmax(x[0]);
    case Prim::Conv2d: return ops::conv2d(x[0], x[1], a.stride, a.padding);
    case Prim::Conv2dBackwardInput: return ops::conv2d_backward_input(x[0], x[1], a.stride, a.padding, a.shape);
    case Prim::Conv2dBackwardWeight: return ops::conv2d_backward_weight(x[0], x[1], a.stride, a.padding, a.shape);
    case Prim::MaxPool2d: return ops::max_pool2d(x[0], a.kernel, a.stride);
    case Prim::MaxPool2dSelect: return ops::max_pool2d_select(x[0], x[1], a.kernel, a.stride);
    case Prim::MaxPool2dScatter: return ops::max_pool2d_scatter(x[0], x[1], a.kernel, a.stride);
    case Prim::SquaredEuclidean: return ops::squared_euclidean(x[0], x[1]);
    case Prim::OneHot: return ops::one_hot(x[0], a.numClasses);
  }
  fail(ErrorKind::Internal, "prim_forward: unhandled primitive");
}

}  // namespace ml
