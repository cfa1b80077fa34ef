// The block allocator: reuse of small, medium and large blocks, alignment, the large-block cap,
// and the live / peak byte counts.
#include <algorithm>
#include <cstdint>
#include <vector>

#include "core/allocator.h"
#include "core/threads.h"
#include "test_framework.h"

ML_TEST(allocator_blocks_are_aligned_and_writable) {
  for (size_t bytes : {size_t(1), size_t(100), size_t(4096), size_t(3) << 20}) {
    auto* p = static_cast<unsigned char*>(ml::acquire_block(bytes));
    ML_CHECK(reinterpret_cast<uintptr_t>(p) % 64 == 0);
    for (size_t i = 0; i < bytes; ++i) p[i] = static_cast<unsigned char>(i);
    ML_CHECK(p[bytes - 1] == static_cast<unsigned char>(bytes - 1));
    ml::release_block(p, bytes);
  }
}

ML_TEST(allocator_reuses_a_freed_large_block_of_the_same_size) {
  const size_t bytes = (size_t(5) << 20) + 123;
  void* first = ml::acquire_block(bytes);
  size_t cached_before = ml::cached_large_bytes();
  ml::release_block(first, bytes);
  ML_CHECK(ml::cached_large_bytes() > cached_before);
  void* second = ml::acquire_block(bytes);
  ML_CHECK(second == first);
  ML_CHECK(ml::cached_large_bytes() == cached_before);
  ml::release_block(second, bytes);
}

ML_TEST(allocator_caps_the_large_block_cache) {
  // The cap is 256 MiB per worker thread: free 16 MiB blocks worth 1.25x the cap, keep <= cap.
  const size_t bytes = size_t(16) << 20;
  const size_t cap = (size_t(256) << 20) * static_cast<size_t>(std::max(1, ml::default_num_threads()));
  std::vector<void*> blocks;
  for (size_t i = 0; i < cap / bytes + cap / bytes / 4; ++i) blocks.push_back(ml::acquire_block(bytes));
  for (void* p : blocks) ml::release_block(p, bytes);
  ML_CHECK(ml::cached_large_bytes() <= cap);
  ML_CHECK(ml::cached_large_bytes() >= cap - bytes);
}

ML_TEST(allocator_sizes_medium_blocks_to_whole_pages) {
  // A 64x64x3x3 float32 conv weight: 147,456 bytes = 36 pages exactly, and one byte more = 37.
  for (size_t bytes : {size_t(147456), size_t(147457)}) {
    ml::BlockBytes before = ml::block_bytes();
    void* p = ml::acquire_block(bytes);
    ml::BlockBytes during = ml::block_bytes();
    ML_CHECK(during.live_requested - before.live_requested == bytes);
    ML_CHECK(during.live_held - before.live_held == ((bytes + 4095) / 4096) * 4096);
    ml::release_block(p, bytes);
    ml::BlockBytes after = ml::block_bytes();
    ML_CHECK(after.live_requested == before.live_requested);
    ML_CHECK(after.live_held == before.live_held);
  }
}

ML_TEST(allocator_reuses_a_medium_block_only_at_the_same_page_count) {
  const size_t bytes = 300000;  // 74 pages
  void* first = ml::acquire_block(bytes);
  ml::release_block(first, bytes);
  void* other = ml::acquire_block(bytes + 8192);  // 76 pages: must not get the 74-page block
  ML_CHECK(other != first);
  void* same = ml::acquire_block(bytes - 100);  // still 74 pages
  ML_CHECK(same == first);
  ml::release_block(same, bytes - 100);
  ml::release_block(other, bytes + 8192);
}

ML_TEST(allocator_counts_the_peak_of_live_bytes) {
  ml::reset_peak_block_bytes();
  ml::BlockBytes start = ml::block_bytes();
  ML_CHECK(start.peak_requested == start.live_requested);
  void* a = ml::acquire_block(1000);
  void* b = ml::acquire_block(3000);
  ml::release_block(a, 1000);
  void* c = ml::acquire_block(500);
  ml::BlockBytes now = ml::block_bytes();
  ML_CHECK(now.live_requested - start.live_requested == 3500);
  ML_CHECK(now.peak_requested - start.live_requested == 4000);  // a and b together
  ML_CHECK(now.peak_held - start.live_held == 1024 + 4096);     // power-of-two classes below 64 KiB
  ml::release_block(b, 3000);
  ml::release_block(c, 500);
  ml::reset_peak_block_bytes();
  ML_CHECK(ml::block_bytes().peak_requested == start.live_requested);
}
