#include "autodiff/inner_rates.h"

#include <string>

#include "core/error.h"

namespace ml {
namespace {

bool all_zero(const Tensor& t) {
  return dispatch_dtype(t.dtype(), [&](auto tag) {
    const auto* p = t.data<decltype(tag)>();
    for (int64_t i = 0; i < t.numel(); ++i)
      if (p[i] != 0) return false;
    return true;
  });
}

}  // namespace

void validate_inner_rates(const Program& p, size_t n, int64_t steps, const std::vector<std::vector<Tensor>>& inner_lr,
                          const char* what) {
  if (steps > 0 && inner_lr.size() != static_cast<size_t>(steps) && inner_lr.size() != 1)
    fail(ErrorKind::Value, std::string(what) + ": innerLR has " + std::to_string(inner_lr.size()) +
                               " entries, expected steps (" + std::to_string(steps) + ") or 1");
  for (size_t j = 0; j < inner_lr.size(); ++j) {
    if (inner_lr[j].size() != n)
      fail(ErrorKind::Value, std::string(what) + ": innerLR[" + std::to_string(j) + "] must have one rate per parameter");
    for (size_t i = 0; i < n; ++i) {
      const Tensor& lr = inner_lr[j][i];
      const ProgramInput& param = p.input(i);
      if (lr.dtype() != param.dtype)
        fail(ErrorKind::DType, std::string(what) + ": innerLR[" + std::to_string(j) + "][" + std::to_string(i) +
                                   "] is " + dtype_name(lr.dtype()) + ", the parameter is " + dtype_name(param.dtype));
      if (!lr.shape().empty() && lr.shape() != param.shape)
        fail(ErrorKind::Shape, std::string(what) + ": innerLR[" + std::to_string(j) + "][" + std::to_string(i) +
                                   "] has shape " + shape_str(lr.shape()) + ", expected [] or " +
                                   shape_str(param.shape));
    }
  }
}

InnerRates::InnerRates(const std::vector<std::vector<Tensor>>& inner_lr) : inner_lr_(inner_lr) {
  for (const std::vector<Tensor>& rates : inner_lr) {
    frozen_.emplace_back();
    for (const Tensor& rate : rates) frozen_.back().push_back(all_zero(rate));
  }
}

}  // namespace ml
