#include "engine/update_rule.h"

#include <cmath>

#include "core/error.h"
#include "ops/ops.h"

namespace ml {

const char* update_kind_name(UpdateKind kind) { return kind == UpdateKind::Adam ? "adam" : "sgd"; }

void validate_update_rule(const UpdateRule& rule, const std::string& what) {
  if (rule.kind != UpdateKind::Adam) return;
  if (!(rule.beta1 >= 0 && rule.beta1 < 1) || !(rule.beta2 >= 0 && rule.beta2 < 1))
    fail(ErrorKind::Value, what + ": adam betas must be in [0, 1), got " + std::to_string(rule.beta1) + " and " +
                               std::to_string(rule.beta2));
  if (!(rule.epsilon > 0) || !std::isfinite(rule.epsilon))
    fail(ErrorKind::Value, what + ": adam epsilon must be > 0, got " + std::to_string(rule.epsilon));
}

UpdateState::UpdateState(const UpdateRule& rule, const std::vector<Tensor>& params) : rule_(rule) {
  if (rule.kind != UpdateKind::Adam) return;
  for (const Tensor& p : params) {
    m_.push_back(Tensor::zeros(p.dtype(), p.shape()));
    v_.push_back(Tensor::zeros(p.dtype(), p.shape()));
  }
}

Tensor UpdateState::direction(int64_t j, size_t i, const Tensor& d) {
  if (rule_.kind == UpdateKind::Sgd) return d;
  // Adam at t = j + 1: m_hat / (sqrt(v_hat) + eps).
  double t = static_cast<double>(j + 1);
  Tensor m_new = ops::mul_scalar(d, 1 - rule_.beta1);
  Tensor v_new = ops::mul_scalar(ops::square(d), 1 - rule_.beta2);
  m_[i] = ops::add(ops::mul_scalar(m_[i], rule_.beta1), m_new);
  v_[i] = ops::add(ops::mul_scalar(v_[i], rule_.beta2), v_new);
  Tensor m_hat = ops::mul_scalar(m_[i], 1 / (1 - std::pow(rule_.beta1, t)));
  Tensor v_hat = ops::mul_scalar(v_[i], 1 / (1 - std::pow(rule_.beta2, t)));
  return ops::div(m_hat, ops::add_scalar(ops::sqrt(v_hat), rule_.epsilon));
}

}  // namespace ml
