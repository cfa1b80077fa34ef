// The op table: every primitive of lib/backend/primitives.ts is ONE row (OpDef) holding its name,
// arity, attributes, forward kernel, VJP rule and JVP rule. Rows live in one file per op family
// (native/autodiff/ops/*_ops.cpp); op_table.cpp gathers the families and indexes them by Prim.
// primitive.h's prim_forward, the reverse pass (prim_vjp), the forward pass (prim_jvp) and the
// N-API attribute parsing all look a primitive up here instead of switching over it.
//
// Adding a primitive: an enumerator in primitive.h, a row in its family file (and its twin in
// lib/backend/ops/), and cases in test/ops/cases.json.
#pragma once
#include <string>
#include <vector>

#include "autodiff/dual.h"

namespace ml {

// The fields of Attrs a row can read, each with one fixed JS type and range (napi/js_convert.cpp).
enum class AttrField {
  TransA, TransB, KeepDims,  // booleans, false when absent
  Value,                     // a finite number
  Axes,                      // integers in [0, 15]
  Axis, Start, End,          // an integer: axis in [0, 15], start/end in [0, 2^53)
  Shape,                     // a shape (the key names it: shape, inputShape, weightShape)
  Stride, Padding, Kernel,   // pairs [h, w]: stride and kernel >= 1, padding >= 0
  NumClasses,                // an integer >= 1
};

// One attribute of a row: the JS key and the Attrs field it fills. A null key ends the list.
struct AttrSpec {
  const char* key;
  AttrField field;
};

constexpr int kMaxAttrs = 3;

// Forward kernel: the output for inputs x (arity already checked).
using ForwardFn = Tensor (*)(const std::vector<Tensor>& x, const Attrs& a);
// VJP rule: given inputs x, output y and output cotangent g (all duals), sets grads[i] for the
// inputs with need[i] (grads arrives sized like x, all undefined = zero). Written only with the
// dual primitives of dual.h, so the results carry their own tangents (forward-over-reverse HVPs).
using VjpFn = void (*)(const std::vector<Dual>& x, const Dual& y, const Dual& g, const Attrs& a,
                       const std::vector<bool>& need, std::vector<Dual>& grads);
// JVP rule: the output tangent given inputs x, their tangents t (undefined = zero) and output y;
// an undefined Tensor when it is zero. Written with the ops of ops/ops.h.
using JvpFn = Tensor (*)(const std::vector<Tensor>& x, const std::vector<Tensor>& t, const Tensor& y,
                         const Attrs& a);

struct OpDef {
  Prim prim;
  const char* name;  // as in lib/backend/primitives.ts
  int arity;         // number of tensor inputs; -1 = one or more (concat)
  AttrSpec attrs[kMaxAttrs];  // in the order they are read (and reported when missing)
  ForwardFn forward;
  VjpFn vjp;
  JvpFn jvp;
};

// The rows of one family file, as a (pointer, count) view of its static array.
struct OpFamily {
  const OpDef* rows;
  size_t count;
};

template <size_t N>
constexpr OpFamily family_of(const OpDef (&rows)[N]) {
  return {rows, N};
}

OpFamily elementwise_ops();
OpFamily matmul_ops();
OpFamily reduce_ops();
OpFamily shape_ops();
OpFamily softmax_ops();
OpFamily conv_ops();
OpFamily pool_ops();
OpFamily distance_ops();
OpFamily one_hot_ops();

// The row of a primitive.
const OpDef& op_def(Prim prim);
// The row named `name`; nullptr when no primitive has that name.
const OpDef* find_op(const std::string& name);
// Every row, in Prim order.
const std::vector<const OpDef*>& all_ops();

// The row's VJP (grads sized like x, undefined where zero or not needed).
void prim_vjp(Prim prim, const std::vector<Dual>& x, const Dual& y, const Dual& g, const Attrs& attrs,
              const std::vector<bool>& need, std::vector<Dual>& grads);
// The row's JVP; an undefined Tensor when the output tangent is zero.
Tensor prim_jvp(Prim prim, const std::vector<Tensor>& x, const std::vector<Tensor>& t, const Tensor& y,
                const Attrs& attrs);

}  // namespace ml
