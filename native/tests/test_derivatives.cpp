// Every primitive's JVP, VJP and the tangent of its VJP (forward-over-reverse) against central
// finite differences in float64.
#include <functional>
#include <string>

#include "autodiff/op_table.h"
#include "test_framework.h"
#include "test_helpers.h"

using namespace ml;
using ml_test::axpy;
using ml_test::dot;
using ml_test::random_tensor;
using ml_test::values_of;

namespace {

constexpr double kEps = 1e-6;

struct Case {
  std::string name;
  Prim prim;
  std::vector<Shape> shapes;
  Attrs attrs;
  double lo = -1.0, hi = 1.0;  // range of the random inputs
  std::vector<bool> differentiable;  // per input; empty = all
};

bool is_differentiable(const Case& c, size_t i) { return c.differentiable.empty() || c.differentiable[i]; }

void report_if_far(const std::string& what, double actual, double expected, double tol) {
  if (!(std::fabs(actual - expected) <= tol * (1.0 + std::fabs(expected))))
    ml_test::report_failure(__FILE__, __LINE__,
                            what + ": got " + std::to_string(actual) + ", finite differences " + std::to_string(expected));
}

std::vector<Tensor> shifted(const std::vector<Tensor>& x, size_t i, double eps, const Tensor& v) {
  std::vector<Tensor> out = x;
  out[i] = axpy(x[i], eps, v);
  return out;
}

// The VJP of the case at x with cotangent g, as plain tensors (undefined where not differentiable).
std::vector<Dual> vjp_at(const Case& c, const std::vector<Tensor>& x, const std::vector<Tensor>& tangents,
                         const Tensor& g) {
  std::vector<Dual> inputs;
  for (size_t i = 0; i < x.size(); ++i) inputs.push_back(Dual{x[i], tangents.empty() ? Tensor() : tangents[i]});
  Dual y = apply(c.prim, inputs, c.attrs);
  std::vector<bool> need;
  for (size_t i = 0; i < x.size(); ++i) need.push_back(is_differentiable(c, i));
  std::vector<Dual> grads;
  prim_vjp(c.prim, inputs, y, constant(g), c.attrs, need, grads);
  return grads;
}

void check_case(const Case& c, std::mt19937& rng) {
  std::vector<Tensor> x;
  for (const Shape& s : c.shapes) x.push_back(random_tensor(s, rng, c.lo, c.hi));
  auto f = [&](const std::vector<Tensor>& in) { return prim_forward(c.prim, in, c.attrs); };
  Tensor y = f(x);
  Tensor g = random_tensor(y.shape(), rng);

  // JVP: each differentiable input's tangent alone, against (f(x + e t) - f(x - e t)) / 2e.
  std::vector<Tensor> tangents;
  for (size_t i = 0; i < x.size(); ++i) tangents.push_back(random_tensor(x[i].shape(), rng));
  for (size_t i = 0; i < x.size(); ++i) {
    if (!is_differentiable(c, i)) continue;
    std::vector<Tensor> only(x.size());
    only[i] = tangents[i];
    Tensor jvp = prim_jvp(c.prim, x, only, y, c.attrs);
    std::vector<double> plus = values_of(f(shifted(x, i, kEps, tangents[i])));
    std::vector<double> minus = values_of(f(shifted(x, i, -kEps, tangents[i])));
    std::vector<double> got = jvp.defined() ? values_of(jvp) : std::vector<double>(plus.size(), 0.0);
    for (size_t k = 0; k < got.size(); ++k)
      report_if_far(c.name + " jvp input " + std::to_string(i) + " [" + std::to_string(k) + "]", got[k],
                    (plus[k] - minus[k]) / (2 * kEps), 1e-6);
  }

  // VJP: element by element, d<g, f(x)>/dx_ij by central differences.
  std::vector<Dual> grads = vjp_at(c, x, {}, g);
  for (size_t i = 0; i < x.size(); ++i) {
    if (!is_differentiable(c, i)) continue;
    std::vector<double> got =
        grads[i].value.defined() ? values_of(grads[i].value) : std::vector<double>(x[i].numel(), 0.0);
    ML_CHECK(static_cast<int64_t>(got.size()) == x[i].numel());
    for (int64_t k = 0; k < x[i].numel(); ++k) {
      Tensor e = Tensor::zeros(DType::F64, x[i].shape());
      e.data<double>()[k] = 1.0;
      double fd = (dot(g, f(shifted(x, i, kEps, e))) - dot(g, f(shifted(x, i, -kEps, e)))) / (2 * kEps);
      report_if_far(c.name + " vjp input " + std::to_string(i) + " [" + std::to_string(k) + "]", got[k], fd, 1e-6);
    }
  }

  // Tangent of the VJP: the VJP run on duals, against finite differences of the VJP along all tangents.
  std::vector<Tensor> diff_tangents;
  for (size_t i = 0; i < x.size(); ++i)
    diff_tangents.push_back(is_differentiable(c, i) ? tangents[i] : Tensor::zeros(DType::F64, x[i].shape()));
  std::vector<Dual> dual_grads = vjp_at(c, x, diff_tangents, g);
  std::vector<Tensor> x_plus = x, x_minus = x;
  for (size_t i = 0; i < x.size(); ++i) {
    x_plus[i] = axpy(x[i], 1e-5, diff_tangents[i]);
    x_minus[i] = axpy(x[i], -1e-5, diff_tangents[i]);
  }
  std::vector<Dual> grads_plus = vjp_at(c, x_plus, {}, g), grads_minus = vjp_at(c, x_minus, {}, g);
  for (size_t i = 0; i < x.size(); ++i) {
    if (!is_differentiable(c, i) || !grads_plus[i].value.defined()) continue;
    std::vector<double> plus = values_of(grads_plus[i].value), minus = values_of(grads_minus[i].value);
    std::vector<double> got = dual_grads[i].tangent.defined() ? values_of(dual_grads[i].tangent)
                                                               : std::vector<double>(plus.size(), 0.0);
    for (size_t k = 0; k < got.size(); ++k)
      report_if_far(c.name + " vjp tangent input " + std::to_string(i) + " [" + std::to_string(k) + "]", got[k],
                    (plus[k] - minus[k]) / 2e-5, 1e-5);
  }
}

Attrs with(std::function<void(Attrs&)> set) {
  Attrs a;
  set(a);
  return a;
}

std::vector<Case> all_cases() {
  std::vector<Case> cases = {
      {"matmul", Prim::Matmul, {{3, 4}, {4, 2}}, {}},
      {"matmul^T", Prim::Matmul, {{4, 3}, {2, 4}}, with([](Attrs& a) { a.transA = a.transB = true; })},
      {"matmul A^T", Prim::Matmul, {{4, 3}, {4, 2}}, with([](Attrs& a) { a.transA = true; })},
      {"matmul B^T", Prim::Matmul, {{3, 4}, {2, 4}}, with([](Attrs& a) { a.transB = true; })},
      {"add broadcast", Prim::Add, {{2, 3}, {3}}, {}},
      {"sub broadcast", Prim::Sub, {{2, 1}, {2, 3}}, {}},
      {"mul broadcast", Prim::Mul, {{2, 1, 3}, {4, 1}}, {}},
      {"div", Prim::Div, {{2, 3}, {2, 3}}, {}, 0.5, 2.0},
      {"div broadcast", Prim::Div, {{3}, {2, 1}}, {}, 0.5, 2.0},
      {"neg", Prim::Neg, {{2, 3}}, {}},
      {"exp", Prim::Exp, {{2, 3}}, {}},
      {"log", Prim::Log, {{2, 3}}, {}, 0.5, 2.0},
      {"sqrt", Prim::Sqrt, {{2, 3}}, {}, 0.5, 2.0},
      {"square", Prim::Square, {{2, 3}}, {}},
      {"relu", Prim::Relu, {{2, 3}}, {}},
      {"tanh", Prim::Tanh, {{2, 3}}, {}},
      {"sigmoid", Prim::Sigmoid, {{2, 3}}, {}, -3, 3},
      {"softplus", Prim::Softplus, {{2, 3}}, {}, -3, 3},
      {"abs", Prim::Abs, {{2, 3}}, {}},
      {"addScalar", Prim::AddScalar, {{2, 3}}, with([](Attrs& a) { a.value = 1.5; })},
      {"mulScalar", Prim::MulScalar, {{2, 3}}, with([](Attrs& a) { a.value = -2.5; })},
      {"powScalar 3", Prim::PowScalar, {{2, 3}}, with([](Attrs& a) { a.value = 3; })},
      {"powScalar 1.5", Prim::PowScalar, {{2, 3}}, with([](Attrs& a) { a.value = 1.5; }), 0.5, 2.0},
      {"powScalar -1", Prim::PowScalar, {{2, 3}}, with([](Attrs& a) { a.value = -1; }), 0.5, 2.0},
      {"reluMask", Prim::ReluMask, {{2, 3}, {2, 3}}, {}, -1, 1, {false, true}},
      {"sum axis 1", Prim::Sum, {{2, 3, 2}}, with([](Attrs& a) { a.axes = {1}; })},
      {"sum all keep", Prim::Sum, {{2, 3}}, with([](Attrs& a) { a.axes = {0, 1}; a.keepDims = true; })},
      {"broadcastTo", Prim::BroadcastTo, {{3, 1}}, with([](Attrs& a) { a.shape = {2, 3, 4}; })},
      {"reshape", Prim::Reshape, {{2, 3}}, with([](Attrs& a) { a.shape = {3, 2}; })},
      {"concat", Prim::Concat, {{2, 1}, {2, 3}, {2, 2}}, with([](Attrs& a) { a.axis = 1; })},
      {"slice", Prim::Slice, {{2, 5}}, with([](Attrs& a) { a.axis = 1; a.start = 1; a.end = 3; })},
      {"softmax", Prim::Softmax, {{3, 4}}, {}},
      {"logSoftmax", Prim::LogSoftmax, {{3, 4}}, {}},
      {"conv2d", Prim::Conv2d, {{2, 2, 5, 4}, {3, 2, 3, 2}},
       with([](Attrs& a) { a.stride = {2, 1}; a.padding = {1, 0}; })},
      {"conv2dBackwardInput", Prim::Conv2dBackwardInput, {{2, 3, 3, 3}, {3, 2, 3, 2}},
       with([](Attrs& a) { a.stride = {2, 1}; a.padding = {1, 0}; a.shape = {2, 2, 5, 4}; })},
      {"conv2dBackwardWeight", Prim::Conv2dBackwardWeight, {{2, 2, 5, 4}, {2, 3, 3, 3}},
       with([](Attrs& a) { a.stride = {2, 1}; a.padding = {1, 0}; a.shape = {3, 2, 3, 2}; })},
      {"maxPool2d", Prim::MaxPool2d, {{2, 2, 4, 5}}, with([](Attrs& a) { a.kernel = {2, 2}; a.stride = {2, 2}; })},
      {"maxPool2d overlapping", Prim::MaxPool2d, {{1, 2, 5, 5}},
       with([](Attrs& a) { a.kernel = {3, 2}; a.stride = {1, 2}; })},
      {"maxPool2dSelect", Prim::MaxPool2dSelect, {{1, 2, 4, 4}, {1, 2, 4, 4}},
       with([](Attrs& a) { a.kernel = {2, 2}; a.stride = {2, 2}; }), -1, 1, {false, true}},
      {"maxPool2dScatter", Prim::MaxPool2dScatter, {{1, 2, 4, 4}, {1, 2, 2, 2}},
       with([](Attrs& a) { a.kernel = {2, 2}; a.stride = {2, 2}; }), -1, 1, {false, true}},
      {"squaredEuclidean", Prim::SquaredEuclidean, {{3, 4}, {2, 4}}, {}},
  };
  return cases;
}

}  // namespace

ML_TEST(every_primitive_jvp_vjp_and_vjp_tangent_match_finite_differences) {
  std::mt19937 rng(1234);
  std::vector<Case> cases = all_cases();
  for (const Case& c : cases) check_case(c, rng);
  // Every primitive except oneHot (no derivative; its zero rules are checked below) is covered.
  std::vector<bool> covered(64, false);
  for (const Case& c : cases) covered[static_cast<int>(c.prim)] = true;
  for (int p = 0; p <= static_cast<int>(Prim::SquaredEuclidean); ++p)
    if (!covered[p]) ml_test::report_failure(__FILE__, __LINE__, std::string("no derivative case for ") + prim_name(static_cast<Prim>(p)));
}

ML_TEST(one_hot_has_zero_derivatives) {
  Attrs a;
  a.numClasses = 3;
  Tensor labels = ml_test::make({2, 0, 1}, {3});
  Tensor y = prim_forward(Prim::OneHot, {labels}, a);
  ML_CHECK(!prim_jvp(Prim::OneHot, {labels}, {ml_test::make({1, 1, 1}, {3})}, y, a).defined());
  std::vector<Dual> grads;
  prim_vjp(Prim::OneHot, {constant(labels)}, constant(y), constant(y), a, {true}, grads);
  ML_CHECK(!grads[0].value.defined());
}
