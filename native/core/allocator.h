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

// Bytes in blocks handed out and not yet released (tensor storage), counted two ways:
// `requested` as callers asked (the tensors' own bytes), `held` as the allocator sized the
// blocks (with its rounding). The peaks are since the last reset_peak_block_bytes().
// For memory tests and benchmarks: counts, not timings, so they are deterministic.
struct BlockBytes {
  size_t live_requested, peak_requested, live_held, peak_held;
};
BlockBytes block_bytes();
// Sets the peaks to the current live counts.
void reset_peak_block_bytes();

}  // namespace ml
