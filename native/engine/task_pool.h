// Runs the tasks of a meta-batch on a few threads (the inner-loop engine, inner_loop.h). Each task writes only its own result slot, so results do not depend on the thread
// count; callers reduce over tasks in task order afterwards.
#pragma once
#include <algorithm>
#include <atomic>
#include <cstddef>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace ml {

// Runs body(t) for t in [0, count) on up to `threads` threads; rethrows the first failure.
template <class F>
void parallel_for(size_t count, int threads, F body) {
  size_t workers = std::min(count, static_cast<size_t>(std::max(1, threads)));
  std::atomic<size_t> next{0};
  std::exception_ptr failure;
  std::mutex failure_mutex;
  auto work = [&]() {
    for (size_t t = next++; t < count; t = next++) {
      try {
        body(t);
      } catch (...) {
        std::lock_guard<std::mutex> lock(failure_mutex);
        if (!failure) failure = std::current_exception();
        next = count;  // stop handing out tasks
      }
    }
  };
  std::vector<std::thread> pool;
  for (size_t w = 1; w < workers; ++w) pool.emplace_back(work);
  work();
  for (std::thread& thread : pool) thread.join();
  if (failure) std::rethrow_exception(failure);
}

}  // namespace ml
