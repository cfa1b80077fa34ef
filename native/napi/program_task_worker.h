// One engine call on a compiled Program (inner_loop) as a Promise: the request is
// read on the JS thread before, run(program, request) runs on a libuv thread off the event loop
// (Napi::AsyncWorker), and the result is turned into its JS object on the JS thread after.
// A failure rejects the Promise with a JS error carrying the ml::Error code (binding.d.ts).
#pragma once
#include <napi.h>

#include <memory>
#include <new>
#include <string>

#include "autodiff/program.h"
#include "core/error.h"
#include "napi/js_errors.h"

namespace ml::napi {

template <class Request, class Result>
class ProgramTaskWorker : public Napi::AsyncWorker {
 public:
  using Run = Result (*)(const Program&, const Request&);
  // The result as binding.d.ts describes it; called on the JS thread.
  using ToJs = Napi::Object (*)(Napi::Env, const Request&, const Result&);

  // Queues the call and returns its Promise. `name` (the request's label, e.g. "adaptBatch") prefixes the messages of
  // failures that are not ml::Error. The worker deletes itself when done. It owns strong
  // references to everything it reads off the JS thread: `program` (non-null) and the request,
  // whose tensors share their storage by reference count (core/tensor.h) and whose query program
  // is a shared_ptr, so dispose() of any of them during the call only drops the JS side's reference.
  static Napi::Promise queue(Napi::Env env, const std::string& name, std::shared_ptr<const Program> program,
                             Request request, Run run, ToJs to_js) {
    if (!program) fail(ErrorKind::Internal, name + ": no program to run");
    auto* worker = new ProgramTaskWorker(env, name, std::move(program), std::move(request), run, to_js);
    Napi::Promise promise = worker->deferred_.Promise();
    worker->Queue();
    return promise;
  }

 protected:
  void Execute() override {
    try {
      result_ = run_(*program_, request_);
    } catch (const Error& e) {
      fail_with(e.kind(), e.what());
    } catch (const std::bad_alloc&) {
      fail_with(ErrorKind::OutOfMemory, name_ + ": out of memory (an allocation failed)");
    } catch (const std::exception& e) {
      fail_with(ErrorKind::Internal, name_ + ": " + e.what());
    } catch (...) {
      fail_with(ErrorKind::Internal, name_ + ": unknown failure");
    }
  }

  // Every failure becomes a rejection: an exception escaping OnOK would end the process
  // (node-addon-api only converts Napi::Error there).
  void OnOK() override {
    try {
      deferred_.Resolve(to_js_(Env(), request_, result_));
    } catch (const Napi::Error& e) {
      deferred_.Reject(e.Value());
    } catch (const Error& e) {
      deferred_.Reject(js_error(Env(), e.kind(), e.what()).Value());
    } catch (const std::bad_alloc&) {
      deferred_.Reject(js_error(Env(), ErrorKind::OutOfMemory, name_ + ": out of memory (an allocation failed)").Value());
    } catch (const std::exception& e) {
      deferred_.Reject(js_error(Env(), ErrorKind::Internal, name_ + ": " + e.what()).Value());
    }
  }

  void OnError(const Napi::Error&) override { deferred_.Reject(js_error(Env(), kind_, message_).Value()); }

 private:
  ProgramTaskWorker(Napi::Env env, const std::string& name, std::shared_ptr<const Program> program, Request request,
                    Run run, ToJs to_js)
      : Napi::AsyncWorker(env, ("metalearn." + name).c_str()),
        deferred_(Napi::Promise::Deferred::New(env)),
        name_(name),
        program_(std::move(program)),
        request_(std::move(request)),
        run_(run),
        to_js_(to_js) {}

  // Runs on the worker thread: only records the failure; OnError builds the JS error.
  void fail_with(ErrorKind kind, const std::string& message) {
    kind_ = kind;
    message_ = message;
    SetError(message);
  }

  Napi::Promise::Deferred deferred_;
  std::string name_;
  std::shared_ptr<const Program> program_;
  Request request_;
  Run run_;
  ToJs to_js_;
  Result result_;
  ErrorKind kind_ = ErrorKind::Internal;
  std::string message_;
};

}  // namespace ml::napi
