// softmax and logSoftmax along the last axis.
#include "autodiff/ops/rule_helpers.h"

namespace ml {
namespace {

using namespace dual;
using namespace rules;

const OpDef kRows[] = {
    {Prim::Softmax, "softmax", 1, {},
     ML_FORWARD { return ops::softmax(x[0]); },
     ML_VJP {
       // dx = y * (g - sum(g * y))
       grads[0] = mul(y, sub(g, sum(mul(g, y), {x[0].value.rank() - 1}, true)));
     },
     ML_JVP {
       // dy = y * (t - sum(t * y))
       return linear(t[0], [&](const Tensor& v) {
         return ops::mul(y, ops::sub(v, ops::sum(ops::mul(v, y), {x[0].rank() - 1}, true)));
       });
     }},
    {Prim::LogSoftmax, "logSoftmax", 1, {},
     ML_FORWARD { return ops::log_softmax(x[0]); },
     ML_VJP {
       // dx = g - softmax(x) * sum(g)
       grads[0] = sub(g, mul(exp(y), sum(g, {x[0].value.rank() - 1}, true)));
     },
     ML_JVP {
       // dy = t - sum(softmax(x) * t)
       return linear(t[0], [&](const Tensor& v) {
         return ops::sub(v, ops::sum(ops::mul(ops::exp(y), v), {x[0].rank() - 1}, true));
       });
     }},
};

}  // namespace

OpFamily softmax_ops() { return family_of(kRows); }

}  // namespace ml
