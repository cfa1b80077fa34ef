// Deliberate memory and UB bugs, built only by `npm run test:sanitize` (targets
// sanitize_canary / sanitize_canary_module of a -DMETALEARN_SANITIZE=ON build, never part of
// `all`). The script runs them first and requires each to fail the run: proof that the flags
// and runtime options in use turn a bug into a failure rather than a silent pass.
//
// METALEARN_SANITIZE_CANARY selects the bug: "heap" (write one past a heap array) or "ub"
// (signed integer overflow). It runs from a load-time constructor, so the same code fires
// both as an executable and as a shared object that Node dlopen()s under the preloaded ASan
// runtime; unset, nothing happens.
#include <climits>
#include <cstdlib>
#include <cstring>
#include <memory>

namespace {

int heap_overflow() {
  std::unique_ptr<int[]> values(new int[4]());
  volatile int past_end = 4;  // volatile: the compiler cannot prove or fold the bad index
  values[past_end] = 1;
  return values[0];
}

int signed_overflow() {
  volatile int big = INT_MAX;
  return big + 1;
}

__attribute__((constructor)) void run_selected_bug() {
  const char* which = std::getenv("METALEARN_SANITIZE_CANARY");
  if (which == nullptr) return;
  volatile int sink = 0;
  if (std::strcmp(which, "heap") == 0) sink = heap_overflow();
  if (std::strcmp(which, "ub") == 0) sink = signed_overflow();
  (void)sink;
}

}  // namespace

int main() { return 0; }
