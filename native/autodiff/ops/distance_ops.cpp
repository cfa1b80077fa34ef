// squaredEuclidean: a [n,d], b [m,d] -> [n,m], y_ij = |a_i - b_j|^2 (prototypical networks).
#include "autodiff/ops/rule_helpers.h"

namespace ml {
namespace {

using namespace dual;
using namespace rules;

// Row-wise dot product of u and v [r,d] as a column [r,1].
Tensor row_dot(const Tensor& u, const Tensor& v) { return ops::sum(ops::mul(u, v), {1}, true); }

const OpDef kRows[] = {
    {Prim::SquaredEuclidean, "squaredEuclidean", 2, {},
     ML_FORWARD { return ops::squared_euclidean(x[0], x[1]); },
     ML_VJP {
       // y_ij = |a_i|^2 + |b_j|^2 - 2 a_i.b_j;  da = 2 (a * rowsum(g) - g b),  db = 2 (b * colsum(g)^T - g^T a)
       const Dual &A = x[0], &B = x[1];
       if (need[0]) grads[0] = mul_scalar(sub(mul(A, sum(g, {1}, true)), matmul(g, B, false, false)), 2.0);
       if (need[1]) {
         Dual column_sums = reshape(sum(g, {0}, false), {B.value.dim(0), 1});
         grads[1] = mul_scalar(sub(mul(B, column_sums), matmul(g, A, true, false)), 2.0);
       }
     },
     ML_JVP {
       // dy = 2 (a_i.ta_i - ta_i.b_j) + 2 (b_j.tb_j - a_i.tb_j)
       const Tensor &A = x[0], &B = x[1];
       Tensor from_a, from_b;
       if (t[0].defined()) from_a = ops::sub(row_dot(A, t[0]), ops::matmul(t[0], B, false, true));
       if (t[1].defined())
         from_b = ops::sub(ops::reshape(row_dot(B, t[1]), {1, B.dim(0)}), ops::matmul(A, t[1], false, true));
       Tensor total = add_terms(from_a, from_b);
       if (!total.defined()) return total;
       return ops::mul_scalar(ops::broadcast_to(total, {A.dim(0), B.dim(0)}), 2.0);
     }},
};

}  // namespace

OpFamily distance_ops() { return family_of(kRows); }

}  // namespace ml
