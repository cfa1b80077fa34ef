// sum over a sorted list of axes, optionally keeping them as size 1.
#include "autodiff/ops/rule_helpers.h"

namespace ml {
namespace {

using namespace dual;
using namespace rules;

const OpDef kRows[] = {
    {Prim::Sum, "sum", 1, {{"axes", AttrField::Axes}, {"keepDims", AttrField::KeepDims}},
     ML_FORWARD { return ops::sum(x[0], a.axes, a.keepDims); },
     ML_VJP {
       Shape kept = x[0].value.shape();
       for (int64_t axis : a.axes) kept[axis] = 1;
       grads[0] = broadcast_to(reshape(g, kept), x[0].value.shape());
     },
     ML_JVP { return linear(t[0], [&](const Tensor& v) { return ops::sum(v, a.axes, a.keepDims); }); }},
};

}  // namespace

OpFamily reduce_ops() { return family_of(kRows); }

}  // namespace ml
