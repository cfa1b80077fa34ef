// The checks of an InnerLoopRequest against its support program, before any task runs: counts,
// shapes and dtypes of what the request hands in, the settings, and which combinations the
// engine implements. ml::Error (Value unless said) prefixed with the request's label.
#pragma once
#include "autodiff/program.h"
#include "engine/inner_loop.h"

namespace ml {

// Returns the query program: request.query_program when given (which must take the support
// program's parameter list: same count at least, shapes (Shape) and dtypes (DType), a scalar
// loss as output 0 (Shape)), else the support program itself.
const Program& validate_inner_loop(const Program& support, const InnerLoopRequest& request);

}  // namespace ml
