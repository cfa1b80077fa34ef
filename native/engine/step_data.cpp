#include "engine/step_data.h"

#include <algorithm>

#include "core/error.h"

namespace ml {

std::vector<Tensor> StepData::at(const std::vector<Tensor>& data, int64_t j) const {
  if (!enabled()) return data;
  std::vector<Tensor> out = data;
  out[static_cast<size_t>(index)] = values[static_cast<size_t>(j)];
  return out;
}

void validate_step_data(const StepData& sd, const Program& support, const Program* query, size_t n, int64_t steps,
                        const std::string& what) {
  if (!sd.enabled()) return;
  size_t count = (query ? std::min(support.num_inputs(), query->num_inputs()) : support.num_inputs()) - n;
  if (static_cast<size_t>(sd.index) >= count)
    fail(ErrorKind::Value, what + ": stepData.index must name one of the " + std::to_string(count) +
                               " data inputs, got " + std::to_string(sd.index));
  if (sd.values.size() != static_cast<size_t>(steps + 1))
    fail(ErrorKind::Shape, what + ": stepData has " + std::to_string(sd.values.size()) +
                               " values; expected one per state t_0..t_k, steps + 1 = " + std::to_string(steps + 1));
  size_t input = n + static_cast<size_t>(sd.index);
  for (const Program* program : {&support, query}) {
    if (!program) continue;
    const ProgramInput& expected = program->input(input);
    for (size_t j = 0; j < sd.values.size(); ++j) {
      const Tensor& v = sd.values[j];
      const std::string where = what + ": stepData.values[" + std::to_string(j) + "]";
      if (v.shape() != expected.shape)
        fail(ErrorKind::Shape, where + " has shape " + shape_str(v.shape()) + "; data input " +
                                   std::to_string(sd.index) + " has shape " + shape_str(expected.shape));
      if (v.dtype() != expected.dtype)
        fail(ErrorKind::DType, where + " is " + dtype_name(v.dtype()) + "; data input " + std::to_string(sd.index) +
                                   " is " + dtype_name(expected.dtype));
    }
  }
}

}  // namespace ml
