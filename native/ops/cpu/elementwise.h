// Elementwise kernels: binary ops with NumPy broadcasting, unary maps, scalar maps, reluMask.
#pragma once
#include <cstdint>

#include "core/shape.h"

namespace ml::cpu {

enum class BinaryOp { Add, Sub, Mul, Div };
enum class UnaryOp { Neg, Exp, Log, Sqrt, Square, Relu, Tanh, Sigmoid, Softplus, Abs, Sign };
enum class ScalarOp { Add, Mul, Pow };

// out: out_shape = broadcast(a_shape, b_shape).
template <class T>
void binary_forward(BinaryOp op, T* out, const T* a, const Shape& a_shape, const T* b, const Shape& b_shape,
                    const Shape& out_shape);
// out, x: [n]. Sign is internal (abs's derivative): -1, 0 or 1 (NaN stays NaN).
template <class T>
void unary_forward(UnaryOp op, T* out, const T* x, int64_t n);
// out, x: [n]; out = x + value, x * value or x ** value.
template <class T>
void scalar_forward(ScalarOp op, T* out, const T* x, int64_t n, double value);
// out, x, g: [n]; out = x > 0 ? g : 0.
template <class T>
void relu_mask_forward(T* out, const T* x, const T* g, int64_t n);

}  // namespace ml::cpu
