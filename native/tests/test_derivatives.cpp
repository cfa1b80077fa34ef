// Every primitive's JVP, VJP and the tangent of its VJP (forward-over-reverse) against central
// finite differences in float64, for every case of the shared op-test table test/ops/cases.json
// (the vitest suites test/core/derivatives.test.ts and agreement.test.ts read it too).
#include <algorithm>
#include <string>

#include "autodiff/op_table.h"
#include "test_framework.h"
#include "test_helpers.h"

using namespace ml;
using ml_test::axpy;
using ml_test::dot;
using ml_test::random_tensor;
using ml_test::values_of;

#ifndef ML_OP_CASES_INC
#error "ML_OP_CASES_INC (test/ops/cases.json as C++ rows, scripts/op-cases-cpp.mjs) is set by CMakeLists.txt"
#endif

namespace {

constexpr double kEps = 1e-6;

// One input of a case: random values uniform in `range` or drawn from `dist` (test/helpers/random.ts
// names), or fixed `values` for data inputs (labels), which are not differentiated.
struct InputSpec {
  Shape shape;
  std::string dist = "normal";
  bool has_range = false;
  double lo = 0, hi = 0;
  bool data = false;
  std::vector<double> values;
};

struct Case {
  std::string name;
  Prim prim;
  std::vector<InputSpec> inputs;
  Attrs attrs;
};

bool is_differentiable(const Case& c, size_t i) { return !c.inputs[i].data; }

// The input's values, as test/helpers/random.ts draws them (from this generator).
Tensor draw(const InputSpec& s, std::mt19937& rng) {
  if (s.data) return ml_test::make(s.values, s.shape);
  int64_t n = 1;
  for (int64_t d : s.shape) n *= d;
  std::vector<double> v(static_cast<size_t>(n));
  auto uniform = [&](double lo, double hi) { return std::uniform_real_distribution<double>(lo, hi)(rng); };
  if (s.has_range) {
    for (double& e : v) e = uniform(s.lo, s.hi);
  } else if (s.dist == "normal") {
    std::normal_distribution<double> normal(0.0, 1.0);
    for (double& e : v) e = normal(rng);
  } else if (s.dist == "positive") {
    for (double& e : v) e = uniform(0.5, 2.0);
  } else if (s.dist == "awayFromZero") {
    for (double& e : v) e = (uniform(0.0, 1.0) < 0.5 ? -1.0 : 1.0) * uniform(0.3, 1.5);
  } else if (s.dist == "distinct") {
    // A shuffled grid with gaps of 0.1: no max-pool ties.
    for (size_t i = 0; i < v.size(); ++i) v[i] = (static_cast<double>(i) - static_cast<double>(n) / 2) * 0.1;
    std::shuffle(v.begin(), v.end(), rng);
  } else {
    throw std::runtime_error("unknown dist '" + s.dist + "'");
  }
  return ml_test::make(v, s.shape);
}

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
  for (const InputSpec& s : c.inputs) x.push_back(draw(s, rng));
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

// A case's attributes as scripts/op-cases-cpp.mjs writes them: key -> numbers (booleans 1 / 0).
using RawAttrs = std::vector<std::pair<std::string, std::vector<double>>>;

std::vector<int64_t> ints_of(const std::vector<double>& list) { return {list.begin(), list.end()}; }

ops::Pair pair_of(const std::vector<double>& list) {
  if (list.size() != 2) throw std::runtime_error("expected a pair [h, w]");
  return {static_cast<int64_t>(list[0]), static_cast<int64_t>(list[1])};
}

// The attributes the op's row reads (op_table.h AttrSpec), from the case's attributes.
Attrs attrs_of(const OpDef& op, const RawAttrs& raw) {
  Attrs a;
  for (const AttrSpec& spec : op.attrs) {
    if (spec.key == nullptr) break;
    auto found = std::find_if(raw.begin(), raw.end(), [&](const auto& kv) { return kv.first == spec.key; });
    bool optional = spec.field == AttrField::TransA || spec.field == AttrField::TransB || spec.field == AttrField::KeepDims;
    if (found == raw.end() && optional) continue;
    if (found == raw.end()) throw std::runtime_error(std::string("attribute '") + spec.key + "' is missing");
    const std::vector<double>& v = found->second;
    double first = v.empty() ? 0.0 : v[0];
    switch (spec.field) {
      case AttrField::TransA: a.transA = first != 0; break;
      case AttrField::TransB: a.transB = first != 0; break;
      case AttrField::KeepDims: a.keepDims = first != 0; break;
      case AttrField::Value: a.value = first; break;
      case AttrField::Axes: a.axes = ints_of(v); break;
      case AttrField::Axis: a.axis = static_cast<int64_t>(first); break;
      case AttrField::Start: a.start = static_cast<int64_t>(first); break;
      case AttrField::End: a.end = static_cast<int64_t>(first); break;
      case AttrField::Shape: a.shape = ints_of(v); break;
      case AttrField::Stride: a.stride = pair_of(v); break;
      case AttrField::Padding: a.padding = pair_of(v); break;
      case AttrField::Kernel: a.kernel = pair_of(v); break;
      case AttrField::NumClasses: a.numClasses = static_cast<int64_t>(first); break;
    }
  }
  return a;
}

// One row of test/ops/cases.json, as scripts/op-cases-cpp.mjs writes it.
struct CaseSpec {
  const char* name;
  const char* op;
  RawAttrs attrs;
  std::vector<InputSpec> inputs;
};

const CaseSpec kCaseSpecs[] = {
#include ML_OP_CASES_INC
};

// The cases of test/ops/cases.json; a case naming an unknown op or missing an attribute is a test failure.
std::vector<Case> all_cases() {
  std::vector<Case> cases;
  for (const CaseSpec& spec : kCaseSpecs) {
    const OpDef* def = find_op(spec.op);
    if (!def) {
      ml_test::report_failure(__FILE__, __LINE__, std::string("case ") + spec.name + " names an unknown op");
      continue;
    }
    try {
      cases.push_back(Case{spec.name, def->prim, spec.inputs, attrs_of(*def, spec.attrs)});
    } catch (const std::exception& e) {
      ml_test::report_failure(__FILE__, __LINE__, std::string("case ") + spec.name + ": " + e.what());
    }
  }
  return cases;
}

}  // namespace

ML_TEST(every_primitive_jvp_vjp_and_vjp_tangent_match_finite_differences) {
  std::mt19937 rng(1234);
  std::vector<Case> cases = all_cases();
  for (const Case& c : cases) check_case(c, rng);
  // Every row of the op table has a case (oneHot's inputs are data: its zero rules are checked below).
  for (const OpDef* op : all_ops()) {
    bool covered = std::any_of(cases.begin(), cases.end(), [&](const Case& c) { return c.prim == op->prim; });
    if (!covered) ml_test::report_failure(__FILE__, __LINE__, std::string("no case for ") + op->name);
  }
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
