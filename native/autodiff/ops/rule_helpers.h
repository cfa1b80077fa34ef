// Helpers shared by the JVP rules of the op family files (native/autodiff/ops/*_ops.cpp).
#pragma once
#include <vector>

#include "autodiff/op_table.h"
#include "ops/ops.h"

namespace ml::rules {

using Ts = std::vector<Tensor>;
using Ds = std::vector<Dual>;
using Need = std::vector<bool>;

// The signatures of a row's three functions (op_table.h ForwardFn, VjpFn, JvpFn) as lambda heads,
// so a row reads {Prim::Exp, "exp", 1, {}, ML_FORWARD {...}, ML_VJP {...}, ML_JVP {...}}.
#define ML_FORWARD [](const ::ml::rules::Ts& x, const ::ml::Attrs& a) -> ::ml::Tensor
#define ML_VJP                                                                                       \
  [](const ::ml::rules::Ds& x, const ::ml::Dual& y, const ::ml::Dual& g, const ::ml::Attrs& a, \
     const ::ml::rules::Need& need, ::ml::rules::Ds& grads) -> void
#define ML_JVP \
  [](const ::ml::rules::Ts& x, const ::ml::rules::Ts& t, const ::ml::Tensor& y, const ::ml::Attrs& a) -> ::ml::Tensor

// a + b where an undefined tensor is zero.
inline Tensor add_terms(const Tensor& a, const Tensor& b) {
  if (!a.defined()) return b;
  if (!b.defined()) return a;
  return ops::add(a, b);
}

// f(t) for a linear unary map f, or zero for a zero tangent.
template <class F>
Tensor linear(const Tensor& t, F f) {
  return t.defined() ? f(t) : Tensor();
}

// Sum of a bilinear op B(u, v) differentiated: B(tu, v) + B(u, tv).
template <class F>
Tensor bilinear(const std::vector<Tensor>& x, const std::vector<Tensor>& t, F f) {
  Tensor first = t[0].defined() ? f(t[0], x[1]) : Tensor();
  Tensor second = t[1].defined() ? f(x[0], t[1]) : Tensor();
  return add_terms(first, second);
}

// The row of a primitive without derivatives: data in, zero tangents and cotangents out.
inline void no_vjp(const std::vector<Dual>&, const Dual&, const Dual&, const Attrs&, const std::vector<bool>&,
                   std::vector<Dual>&) {}
inline Tensor no_jvp(const std::vector<Tensor>&, const std::vector<Tensor>&, const Tensor&, const Attrs&) {
  return Tensor();
}

}  // namespace ml::rules
