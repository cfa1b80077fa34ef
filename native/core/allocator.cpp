#include "core/allocator.h"

#include <cstdlib>
#include <deque>
#include <mutex>
#include <new>
#include <vector>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace ml {

namespace {

// Small blocks (<= 1 MiB): small models allocate and free many same-sized buffers per call;
// glibc's malloc/free was a third of a 40-40 MLP gradient. So each thread keeps a few freed
// blocks per power-of-two size class and reuses them.
constexpr size_t kMinBlock = 64;
constexpr int kClasses = 15;  // 64 B .. 1 MiB
constexpr size_t kBlocksPerClass = 16;

// Large blocks (> 1 MiB: conv activations of a whole episode, im2col buffers). glibc raises
// its mmap threshold each time a large mmapped block is freed, after which large blocks come
// from the heap and fragment it: evaluating 300 conv4 episodes grew RSS to 2 GB while live
// tensors stayed near 100 MB. So large blocks always go through mmap (fixed threshold) and
// the most recently freed ones are kept, up to kLargeCacheBytes, in one shared cache: episodes
// of one configuration have the same shapes, so reuse is exact and skips mmap's page faults.
constexpr size_t kLargeThreshold = size_t(1) << 20;
constexpr size_t kLargeCacheBytes = size_t(256) << 20;

struct SmallCache {
  std::vector<void*> blocks[kClasses];
  ~SmallCache() {
    for (auto& list : blocks)
      for (void* p : list) std::free(p);
  }
};

thread_local SmallCache small_cache;

struct LargeBlock {
  void* p;
  size_t bytes;
};

struct LargeCache {
  std::mutex mutex;
  std::deque<LargeBlock> blocks;  // oldest first
  size_t total = 0;
};

LargeCache& large_cache() {
  static LargeCache* cache = [] {
#if defined(__GLIBC__)
    mallopt(M_MMAP_THRESHOLD, static_cast<int>(kLargeThreshold));
#endif
    return new LargeCache();  // never destroyed: blocks may be released during static destruction
  }();
  return *cache;
}

// Size class of a small request (-1: large) and the bytes that class allocates.
int size_class(size_t bytes, size_t* rounded) {
  size_t size = kMinBlock;
  for (int c = 0; c < kClasses; ++c, size *= 2)
    if (bytes <= size) {
      *rounded = size;
      return c;
    }
  *rounded = ((bytes + 4095) / 4096) * 4096;
  return -1;
}

void* allocate(size_t rounded) {
  void* p = std::aligned_alloc(64, rounded);
  if (!p) throw std::bad_alloc();
  return p;
}

void* acquire_large(size_t rounded) {
  LargeCache& cache = large_cache();
  {
    std::lock_guard<std::mutex> lock(cache.mutex);
    for (auto it = cache.blocks.rbegin(); it != cache.blocks.rend(); ++it) {
      if (it->bytes != rounded) continue;
      void* p = it->p;
      cache.total -= it->bytes;
      cache.blocks.erase(std::next(it).base());
      return p;
    }
  }
  return allocate(rounded);
}

void release_large(void* p, size_t rounded) {
  LargeCache& cache = large_cache();
  std::vector<void*> evicted;
  {
    std::lock_guard<std::mutex> lock(cache.mutex);
    cache.blocks.push_back({p, rounded});
    cache.total += rounded;
    while (cache.total > kLargeCacheBytes) {
      evicted.push_back(cache.blocks.front().p);
      cache.total -= cache.blocks.front().bytes;
      cache.blocks.pop_front();
    }
  }
  for (void* q : evicted) std::free(q);
}

}  // namespace

void* acquire_block(size_t bytes) {
  size_t rounded;
  int c = size_class(bytes, &rounded);
  if (c < 0) return acquire_large(rounded);
  auto& list = small_cache.blocks[c];
  if (!list.empty()) {
    void* p = list.back();
    list.pop_back();
    return p;
  }
  return allocate(rounded);
}

void release_block(void* p, size_t bytes) {
  size_t rounded;
  int c = size_class(bytes, &rounded);
  if (c < 0) return release_large(p, rounded);
  auto& list = small_cache.blocks[c];
  if (list.size() < kBlocksPerClass) {
    list.push_back(p);
    return;
  }
  std::free(p);
}

size_t cached_large_bytes() {
  LargeCache& cache = large_cache();
  std::lock_guard<std::mutex> lock(cache.mutex);
  return cache.total;
}

}  // namespace ml
