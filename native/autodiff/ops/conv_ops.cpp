// conv2d and its two bilinear backward ops (their VJPs are each other; their JVPs are themselves).
#include "autodiff/ops/rule_helpers.h"

namespace ml {
namespace {

using namespace dual;
using namespace rules;

const OpDef kRows[] = {
    {Prim::Conv2d, "conv2d", 2, {{"stride", AttrField::Stride}, {"padding", AttrField::Padding}},
     ML_FORWARD { return ops::conv2d(x[0], x[1], a.stride, a.padding); },
     ML_VJP {
       if (need[0]) grads[0] = conv2d_backward_input(g, x[1], a.stride, a.padding, x[0].value.shape());
       if (need[1]) grads[1] = conv2d_backward_weight(x[0], g, a.stride, a.padding, x[1].value.shape());
     },
     ML_JVP {
       return bilinear(x, t, [&](const Tensor& u, const Tensor& v) { return ops::conv2d(u, v, a.stride, a.padding); });
     }},
    {Prim::Conv2dBackwardInput, "conv2dBackwardInput", 2,
     {{"stride", AttrField::Stride}, {"padding", AttrField::Padding}, {"inputShape", AttrField::Shape}},
     ML_FORWARD { return ops::conv2d_backward_input(x[0], x[1], a.stride, a.padding, a.shape); },
     ML_VJP {
       // y = Bx(dy, w), bilinear: <c, Bx(dy, w)> = <conv(c, w), dy> = <Bw(c, dy), w>
       if (need[0]) grads[0] = conv2d(g, x[1], a.stride, a.padding);
       if (need[1]) grads[1] = conv2d_backward_weight(g, x[0], a.stride, a.padding, x[1].value.shape());
     },
     ML_JVP {
       return bilinear(x, t, [&](const Tensor& u, const Tensor& v) {
         return ops::conv2d_backward_input(u, v, a.stride, a.padding, a.shape);
       });
     }},
    {Prim::Conv2dBackwardWeight, "conv2dBackwardWeight", 2,
     {{"stride", AttrField::Stride}, {"padding", AttrField::Padding}, {"weightShape", AttrField::Shape}},
     ML_FORWARD { return ops::conv2d_backward_weight(x[0], x[1], a.stride, a.padding, a.shape); },
     ML_VJP {
       // y = Bw(x, dy): <c, Bw(x, dy)> = <Bx(dy, c), x> = <conv(x, c), dy>
       if (need[0]) grads[0] = conv2d_backward_input(x[1], g, a.stride, a.padding, x[0].value.shape());
       if (need[1]) grads[1] = conv2d(x[0], g, a.stride, a.padding);
     },
     ML_JVP {
       return bilinear(x, t, [&](const Tensor& u, const Tensor& v) {
         return ops::conv2d_backward_weight(u, v, a.stride, a.padding, a.shape);
       });
     }},
};

}  // namespace

OpFamily conv_ops() { return family_of(kRows); }

}  // namespace ml
