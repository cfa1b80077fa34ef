// Shape primitives: broadcastTo, reshape, concat and slice (no arithmetic, only data movement).
#include "autodiff/ops/rule_helpers.h"

namespace ml {
namespace {

using namespace dual;
using namespace rules;

const OpDef kRows[] = {
    {Prim::BroadcastTo, "broadcastTo", 1, {{"shape", AttrField::Shape}},
     ML_FORWARD { return ops::broadcast_to(x[0], a.shape); },
     ML_VJP { grads[0] = sum_to(g, x[0].value.shape()); },
     ML_JVP { return linear(t[0], [&](const Tensor& v) { return ops::broadcast_to(v, a.shape); }); }},
    {Prim::Reshape, "reshape", 1, {{"shape", AttrField::Shape}},
     ML_FORWARD { return ops::reshape(x[0], a.shape); },
     ML_VJP { grads[0] = reshape(g, x[0].value.shape()); },
     ML_JVP { return linear(t[0], [&](const Tensor& v) { return ops::reshape(v, a.shape); }); }},
    {Prim::Concat, "concat", -1, {{"axis", AttrField::Axis}},
     ML_FORWARD { return ops::concat(x, a.axis); },
     ML_VJP {
       int64_t offset = 0;
       for (size_t i = 0; i < x.size(); ++i) {
         int64_t size = x[i].value.dim(a.axis);
         if (need[i]) grads[i] = slice(g, a.axis, offset, offset + size);
         offset += size;
       }
     },
     ML_JVP {
       bool any = false;
       for (const Tensor& v : t) any = any || v.defined();
       if (!any) return Tensor();
       std::vector<Tensor> parts;
       for (size_t i = 0; i < x.size(); ++i)
         parts.push_back(t[i].defined() ? t[i] : Tensor::zeros(x[i].dtype(), x[i].shape()));
       return ops::concat(parts, a.axis);
     }},
    {Prim::Slice, "slice", 1, {{"axis", AttrField::Axis}, {"start", AttrField::Start}, {"end", AttrField::End}},
     ML_FORWARD { return ops::slice(x[0], a.axis, a.start, a.end); },
     ML_VJP {
       // Zeros around g along the axis: concat(zeros before, g, zeros after).
       Shape before = x[0].value.shape(), after = x[0].value.shape();
       before[a.axis] = a.start;
       after[a.axis] = x[0].value.dim(a.axis) - a.end;
       std::vector<Dual> parts;
       if (a.start > 0) parts.push_back(constant(Tensor::zeros(x[0].value.dtype(), before)));
       parts.push_back(g);
       if (after[a.axis] > 0) parts.push_back(constant(Tensor::zeros(x[0].value.dtype(), after)));
       grads[0] = concat(parts, a.axis);
     },
     ML_JVP { return linear(t[0], [&](const Tensor& v) { return ops::slice(v, a.axis, a.start, a.end); }); }},
};

}  // namespace

OpFamily shape_ops() { return family_of(kRows); }

}  // namespace ml
