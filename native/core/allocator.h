#pragma once
// Tensor memory: 64-byte aligned blocks with reuse (see allocator.cpp for why).
#include <cstddef>

namespace ml {

// A block of at least `bytes`, 64-byte aligned. Throws ml::Error (ErrorKind::OutOfMemory, "could
// not allocate N bytes for <what>") when memory runs out or `bytes` is above max_block_bytes();
// a failed request leaves block_bytes() unchanged.
void* acquire_block(size_t bytes, const char* what = "tensor storage");
// Returns a block from acquire_block(bytes) (same `bytes`); it may be kept for reuse.
void release_block(void* p, size_t bytes);
// The largest block acquire_block grants: the machine's physical memory (a bigger block could
// never be written in full: the OS would kill the process instead of failing the allocation).
size_t max_block_bytes();
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
