// matmul: op(A) [n,k] x op(B) [k,m] -> [n,m], op = transpose when transA / transB is set.
#include "autodiff/ops/rule_helpers.h"

namespace ml {
namespace {

using namespace dual;
using namespace rules;

const OpDef kRows[] = {
    {Prim::Matmul, "matmul", 2, {{"transA", AttrField::TransA}, {"transB", AttrField::TransB}},
     ML_FORWARD { return ops::matmul(x[0], x[1], a.transA, a.transB); },
     ML_VJP {
       // y = op(A) op(B):  dA = G op(B)^T (transposed back when transA), dB = op(A)^T G (likewise).
       const Dual &A = x[0], &B = x[1];
       if (need[0]) grads[0] = a.transA ? matmul(B, g, a.transB, true) : matmul(g, B, false, !a.transB);
       if (need[1]) grads[1] = a.transB ? matmul(g, A, true, a.transA) : matmul(A, g, !a.transA, false);
     },
     ML_JVP {
       return bilinear(x, t, [&](const Tensor& u, const Tensor& v) { return ops::matmul(u, v, a.transA, a.transB); });
     }},
};

}  // namespace

OpFamily matmul_ops() { return family_of(kRows); }

}  // namespace ml
