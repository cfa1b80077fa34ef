// ProgramWrap::innerLoop(request, queryProgram?): the inner-loop engine (engine/inner_loop.h) as a
// Promise (the query program: query sets of other shapes than the support sets). The request is
// read on the JS thread (inner_loop_convert.h), the tasks run on a thread pool off the event
// loop (program_task_worker.h), and the result is wrapped back on the JS thread.
#include "core/threads.h"
#include "engine/inner_loop.h"
#include "napi/inner_loop_convert.h"
#include "napi/js_errors.h"
#include "napi/program_task_worker.h"
#include "napi/program_wrap.h"

namespace ml::napi {

Napi::Value ProgramWrap::inner_loop(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guarded(env, [&]() -> Napi::Value {
    InnerLoopRequest request = inner_loop_request_from_js(env, info[0]);
    request.query_program = query_program_from_js(env, info[1], request.label.c_str());
    request.num_threads = default_num_threads();
    // Last, after every getter of the request has run (program_wrap.h, program_ref).
    std::shared_ptr<const Program> program = program_ref(request.label.c_str());
    std::string name = request.label;
    return ProgramTaskWorker<InnerLoopRequest, InnerLoopResult>::queue(env, name, std::move(program), std::move(request),
                                                                       ml::inner_loop, inner_loop_result_to_js);
  });
}

}  // namespace ml::napi
