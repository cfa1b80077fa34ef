// Elementwise primitives: broadcasting binary ops, unary maps, the scalar ops and reluMask.
#include "autodiff/ops/rule_helpers.h"

namespace ml {
namespace {

using namespace dual;
using namespace rules;

const OpDef kRows[] = {
    {Prim::Add, "add", 2, {},
     ML_FORWARD { return ops::add(x[0], x[1]); },
     ML_VJP {
       if (need[0]) grads[0] = sum_to(g, x[0].value.shape());
       if (need[1]) grads[1] = sum_to(g, x[1].value.shape());
     },
     ML_JVP {
       Tensor ta = linear(t[0], [&](const Tensor& v) { return ops::broadcast_to(v, y.shape()); });
       Tensor tb = linear(t[1], [&](const Tensor& v) { return ops::broadcast_to(v, y.shape()); });
       return add_terms(ta, tb);
     }},
    {Prim::Sub, "sub", 2, {},
     ML_FORWARD { return ops::sub(x[0], x[1]); },
     ML_VJP {
       if (need[0]) grads[0] = sum_to(g, x[0].value.shape());
       if (need[1]) grads[1] = neg(sum_to(g, x[1].value.shape()));
     },
     ML_JVP {
       Tensor ta = linear(t[0], [&](const Tensor& v) { return ops::broadcast_to(v, y.shape()); });
       Tensor tb = linear(t[1], [&](const Tensor& v) { return ops::neg(ops::broadcast_to(v, y.shape())); });
       return add_terms(ta, tb);
     }},
    {Prim::Mul, "mul", 2, {},
     ML_FORWARD { return ops::mul(x[0], x[1]); },
     ML_VJP {
       if (need[0]) grads[0] = sum_to(mul(g, x[1]), x[0].value.shape());
       if (need[1]) grads[1] = sum_to(mul(g, x[0]), x[1].value.shape());
     },
     ML_JVP { return bilinear(x, t, [](const Tensor& u, const Tensor& v) { return ops::mul(u, v); }); }},
    {Prim::Div, "div", 2, {},
     ML_FORWARD { return ops::div(x[0], x[1]); },
     ML_VJP {
       // d(a/b)/da = 1/b;  d(a/b)/db = -y/b
       if (need[0]) grads[0] = sum_to(div(g, x[1]), x[0].value.shape());
       if (need[1]) grads[1] = sum_to(neg(mul(g, div(y, x[1]))), x[1].value.shape());
     },
     ML_JVP {
       // d(a/b) = ta/b - tb*y/b
       Tensor ta = linear(t[0], [&](const Tensor& v) { return ops::div(v, x[1]); });
       Tensor tb = linear(t[1], [&](const Tensor& v) { return ops::neg(ops::div(ops::mul(v, y), x[1])); });
       return add_terms(ta, tb);
     }},
    {Prim::Neg, "neg", 1, {},
     ML_FORWARD { return ops::neg(x[0]); },
     ML_VJP { grads[0] = neg(g); },
     ML_JVP { return linear(t[0], [](const Tensor& v) { return ops::neg(v); }); }},
    {Prim::Exp, "exp", 1, {},
     ML_FORWARD { return ops::exp(x[0]); },
     ML_VJP { grads[0] = mul(g, y); },
     ML_JVP { return linear(t[0], [&](const Tensor& v) { return ops::mul(v, y); }); }},
    {Prim::Log, "log", 1, {},
     ML_FORWARD { return ops::log(x[0]); },
     ML_VJP { grads[0] = div(g, x[0]); },
     ML_JVP { return linear(t[0], [&](const Tensor& v) { return ops::div(v, x[0]); }); }},
    {Prim::Sqrt, "sqrt", 1, {},
     ML_FORWARD { return ops::sqrt(x[0]); },
     ML_VJP { grads[0] = div(g, mul_scalar(y, 2.0)); },
     ML_JVP { return linear(t[0], [&](const Tensor& v) { return ops::div(v, ops::mul_scalar(y, 2.0)); }); }},
    {Prim::Square, "square", 1, {},
     ML_FORWARD { return ops::square(x[0]); },
     ML_VJP { grads[0] = mul(g, mul_scalar(x[0], 2.0)); },
     ML_JVP { return linear(t[0], [&](const Tensor& v) { return ops::mul(v, ops::mul_scalar(x[0], 2.0)); }); }},
    {Prim::Relu, "relu", 1, {},
     ML_FORWARD { return ops::relu(x[0]); },
     ML_VJP { grads[0] = relu_mask(x[0], g); },
     ML_JVP { return linear(t[0], [&](const Tensor& v) { return ops::relu_mask(x[0], v); }); }},
    {Prim::Tanh, "tanh", 1, {},
     ML_FORWARD { return ops::tanh(x[0]); },
     ML_VJP { grads[0] = mul(g, add_scalar(neg(square(y)), 1.0)); },
     ML_JVP {
       return linear(t[0], [&](const Tensor& v) { return ops::mul(v, ops::add_scalar(ops::neg(ops::square(y)), 1.0)); });
     }},
    {Prim::Sigmoid, "sigmoid", 1, {},
     ML_FORWARD { return ops::sigmoid(x[0]); },
     ML_VJP { grads[0] = mul(g, mul(y, add_scalar(neg(y), 1.0))); },
     ML_JVP {
       return linear(t[0], [&](const Tensor& v) { return ops::mul(v, ops::mul(y, ops::add_scalar(ops::neg(y), 1.0))); });
     }},
    {Prim::Softplus, "softplus", 1, {},
     ML_FORWARD { return ops::softplus(x[0]); },
     ML_VJP { grads[0] = mul(g, sigmoid(x[0])); },
     ML_JVP { return linear(t[0], [&](const Tensor& v) { return ops::mul(v, ops::sigmoid(x[0])); }); }},
    {Prim::Abs, "abs", 1, {},
     ML_FORWARD { return ops::abs(x[0]); },
     ML_VJP { grads[0] = mul(g, constant(ops::sign(x[0].value))); },
     ML_JVP { return linear(t[0], [&](const Tensor& v) { return ops::mul(v, ops::sign(x[0])); }); }},
    {Prim::AddScalar, "addScalar", 1, {{"value", AttrField::Value}},
     ML_FORWARD { return ops::add_scalar(x[0], a.value); },
     ML_VJP { grads[0] = g; },
     ML_JVP { return t[0]; }},
    {Prim::MulScalar, "mulScalar", 1, {{"value", AttrField::Value}},
     ML_FORWARD { return ops::mul_scalar(x[0], a.value); },
     ML_VJP { grads[0] = mul_scalar(g, a.value); },
     ML_JVP { return linear(t[0], [&](const Tensor& v) { return ops::mul_scalar(v, a.value); }); }},
    {Prim::PowScalar, "powScalar", 1, {{"value", AttrField::Value}},
     ML_FORWARD { return ops::pow_scalar(x[0], a.value); },
     ML_VJP {
       if (a.value != 0.0) grads[0] = mul(g, mul_scalar(pow_scalar(x[0], a.value - 1.0), a.value));
     },
     ML_JVP {
       if (a.value == 0.0) return Tensor();
       return linear(t[0], [&](const Tensor& v) {
         return ops::mul(v, ops::mul_scalar(ops::pow_scalar(x[0], a.value - 1.0), a.value));
       });
     }},
    // reluMask(x, g) = g where x > 0: linear in g, piecewise constant in x (relu's VJP).
    {Prim::ReluMask, "reluMask", 2, {},
     ML_FORWARD { return ops::relu_mask(x[0], x[1]); },
     ML_VJP {
       if (need[1]) grads[1] = relu_mask(x[0], g);
     },
     ML_JVP { return linear(t[1], [&](const Tensor& v) { return ops::relu_mask(x[0], v); }); }},
};

}  // namespace

OpFamily elementwise_ops() { return family_of(kRows); }

}  // namespace ml
