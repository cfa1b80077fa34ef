#include "engine/inner_rates.h"

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

void validate_inner_rates(const Program& p, size_t n, int64_t steps, const std::vector<std::vector<Tensor>>& rates,
                          const std::optional<std::vector<size_t>>& adapts, const std::string& what) {
  if (steps > 0 && rates.size() != static_cast<size_t>(steps) && rates.size() != 1)
    fail(ErrorKind::Value, what + ": update.rates has " + std::to_string(rates.size()) + " entries, expected steps (" +
                               std::to_string(steps) + ") or 1");
  for (size_t j = 0; j < rates.size(); ++j) {
    if (rates[j].size() != n)
      fail(ErrorKind::Value, what + ": update.rates[" + std::to_string(j) + "] must have one rate per parameter");
    for (size_t i = 0; i < n; ++i) {
      const Tensor& lr = rates[j][i];
      const ProgramInput& param = p.input(i);
      const std::string where = what + ": update.rates[" + std::to_string(j) + "][" + std::to_string(i) + "]";
      if (lr.dtype() != param.dtype)
        fail(ErrorKind::DType, where + " is " + dtype_name(lr.dtype()) + ", the parameter is " + dtype_name(param.dtype));
      if (!lr.shape().empty() && lr.shape() != param.shape)
        fail(ErrorKind::Shape, where + " has shape " + shape_str(lr.shape()) + ", expected [] or " + shape_str(param.shape));
    }
  }
  if (adapts)
    for (size_t index : *adapts)
      if (index >= n)
        fail(ErrorKind::Value, what + ": adapts names parameter " + std::to_string(index) + " of " + std::to_string(n));
}

InnerRates::InnerRates(const std::vector<std::vector<Tensor>>& rates, const std::optional<std::vector<size_t>>& adapts)
    : rates_(rates) {
  std::vector<bool> adapting(rates.empty() ? 0 : rates[0].size(), !adapts);
  if (adapts)
    for (size_t index : *adapts) adapting[index] = true;
  for (const std::vector<Tensor>& step : rates) {
    frozen_.emplace_back();
    for (size_t i = 0; i < step.size(); ++i) frozen_.back().push_back(!adapting[i] || all_zero(step[i]));
  }
}

}  // namespace ml
