// maxPool2d and the two linear routes of its derivatives: select (JVP) and scatter (VJP), which
// are linear in their second input and transposes of each other.
#include "autodiff/ops/rule_helpers.h"

namespace ml {
namespace {

using namespace dual;
using namespace rules;

#define ML_POOL_ATTRS {{"kernel", AttrField::Kernel}, {"stride", AttrField::Stride}}

const OpDef kRows[] = {
    {Prim::MaxPool2d, "maxPool2d", 1, ML_POOL_ATTRS,
     ML_FORWARD { return ops::max_pool2d(x[0], a.kernel, a.stride); },
     ML_VJP { grads[0] = max_pool2d_scatter(x[0], g, a.kernel, a.stride); },
     ML_JVP { return linear(t[0], [&](const Tensor& v) { return ops::max_pool2d_select(x[0], v, a.kernel, a.stride); }); }},
    {Prim::MaxPool2dSelect, "maxPool2dSelect", 2, ML_POOL_ATTRS,
     ML_FORWARD { return ops::max_pool2d_select(x[0], x[1], a.kernel, a.stride); },
     ML_VJP {
       if (need[1]) grads[1] = max_pool2d_scatter(x[0], g, a.kernel, a.stride);
     },
     ML_JVP { return linear(t[1], [&](const Tensor& v) { return ops::max_pool2d_select(x[0], v, a.kernel, a.stride); }); }},
    {Prim::MaxPool2dScatter, "maxPool2dScatter", 2, ML_POOL_ATTRS,
     ML_FORWARD { return ops::max_pool2d_scatter(x[0], x[1], a.kernel, a.stride); },
     ML_VJP {
       if (need[1]) grads[1] = max_pool2d_select(x[0], g, a.kernel, a.stride);
     },
     ML_JVP {
       return linear(t[1], [&](const Tensor& v) { return ops::max_pool2d_scatter(x[0], v, a.kernel, a.stride); });
     }},
};

#undef ML_POOL_ATTRS

}  // namespace

OpFamily pool_ops() { return family_of(kRows); }

}  // namespace ml
