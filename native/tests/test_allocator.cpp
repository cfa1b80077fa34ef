// The block allocator: reuse of small and large blocks, alignment, and the large-block cap.
#include <cstdint>
#include <vector>

#include "core/allocator.h"
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
  // 40 blocks of 16 MiB = 640 MiB freed: the cache keeps at most its 256 MiB cap.
  const size_t bytes = size_t(16) << 20;
  std::vector<void*> blocks;
  for (int i = 0; i < 40; ++i) blocks.push_back(ml::acquire_block(bytes));
  for (void* p : blocks) ml::release_block(p, bytes);
  ML_CHECK(ml::cached_large_bytes() <= (size_t(256) << 20));
  ML_CHECK(ml::cached_large_bytes() >= bytes);
}
