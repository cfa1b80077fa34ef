#pragma once
// AddressSanitizer annotations for the tensor allocator (allocator.cpp). The allocator rounds
// block sizes up and keeps released blocks for reuse, so to ASan (which only sees its
// malloc/free) the rounding slack and every cached block look like live memory: a read past
// a tensor's end or a use after release would go unreported. These mark exactly the bytes a
// caller asked for as addressable and everything else as poisoned. No-ops (and no ASan
// dependency) unless compiled with -fsanitize=address (cmake -DMETALEARN_SANITIZE=ON).
#include <cstddef>

#if defined(__SANITIZE_ADDRESS__)
#define ML_ADDRESS_SANITIZER 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ML_ADDRESS_SANITIZER 1
#endif
#endif

#ifdef ML_ADDRESS_SANITIZER
#include <sanitizer/asan_interface.h>
#endif

namespace ml {

// A block of `held` bytes is handed out for `bytes` (<= held): only the first `bytes` may be used.
inline void mark_block_acquired(void* p, size_t bytes, size_t held) {
#ifdef ML_ADDRESS_SANITIZER
  ASAN_POISON_MEMORY_REGION(p, held);
  ASAN_UNPOISON_MEMORY_REGION(p, bytes);
#else
  (void)p, (void)bytes, (void)held;
#endif
}

// The block goes back to the allocator (cached or freed): no caller may touch any of it.
inline void mark_block_released(void* p, size_t held) {
#ifdef ML_ADDRESS_SANITIZER
  ASAN_POISON_MEMORY_REGION(p, held);
#else
  (void)p, (void)held;
#endif
}

}  // namespace ml
