#pragma once
// Tensor memory: 64-byte aligned blocks with reuse (see allocator.cpp for why).
#include <cstddef>

namespace ml {

// A block of at least `bytes`, 64-byte aligned. Throws std::bad_alloc when memory runs out.
void* acquire_block(size_t bytes);
// Returns a block from acquire_block(bytes) (same `bytes`); it may be kept for reuse.
void release_block(void* p, size_t bytes);
// Bytes currently held in the large-block cache (for tests).
size_t cached_large_bytes();

}  // namespace ml
