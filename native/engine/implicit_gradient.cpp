#include "engine/implicit_gradient.h"

#include <cmath>

#include "core/error.h"
#include "ops/ops.h"

namespace ml {
namespace {

// sum over tensors of <a_i, b_i>, accumulated in double in element order (as the TypeScript twin).
double dot(const std::vector<Tensor>& a, const std::vector<Tensor>& b) {
  double total = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    dispatch_dtype(a[i].dtype(), [&](auto tag) {
      using T = decltype(tag);
      const T* x = a[i].data<T>();
      const T* y = b[i].data<T>();
      for (int64_t e = 0; e < a[i].numel(); ++e) total += static_cast<double>(x[e]) * static_cast<double>(y[e]);
    });
  }
  return total;
}

// a + s * b, tensor by tensor.
std::vector<Tensor> axpy(const std::vector<Tensor>& a, double s, const std::vector<Tensor>& b) {
  std::vector<Tensor> out(a.size());
  for (size_t i = 0; i < a.size(); ++i) out[i] = ops::add(a[i], ops::mul_scalar(b[i], s));
  return out;
}

}  // namespace

void validate_implicit_settings(const ImplicitSettings& s, const std::string& what) {
  if (!(s.lambda > 0) || !std::isfinite(s.lambda))
    fail(ErrorKind::Value, what + ": implicit.lambda must be > 0, got " + std::to_string(s.lambda));
  if (s.cg_steps < 0 || s.cg_steps > 10000)
    fail(ErrorKind::Value, what + ": implicit.cgSteps " + std::to_string(s.cg_steps) + " must be in [0, 10000]");
  if (!(s.tolerance >= 0) || !std::isfinite(s.tolerance))
    fail(ErrorKind::Value, what + ": implicit.tolerance must be a finite number >= 0, got " + std::to_string(s.tolerance));
}

std::vector<Tensor> implicit_gradient(const HessianVectorProduct& hvp, const std::vector<Tensor>& b,
                                      const ImplicitSettings& s) {
  auto apply_a = [&](const std::vector<Tensor>& vec) { return axpy(vec, 1 / s.lambda, hvp(vec)); };
  std::vector<Tensor> x(b.size()), r = b, dir = b;
  for (size_t i = 0; i < b.size(); ++i) x[i] = Tensor::zeros(b[i].dtype(), b[i].shape());
  double rr = dot(r, r);
  double stop = s.tolerance * s.tolerance * rr;
  for (int64_t step = 0; step < s.cg_steps && rr > stop && rr > 0; ++step) {
    std::vector<Tensor> ad = apply_a(dir);
    double alpha = rr / dot(dir, ad);
    x = axpy(x, alpha, dir);
    r = axpy(r, -alpha, ad);
    double rr_next = dot(r, r);
    dir = axpy(r, rr_next / rr, dir);
    rr = rr_next;
  }
  return x;
}

}  // namespace ml
