#include "core/allocator.h"

#include <algorithm>

#include <atomic>
#include <cstdlib>
#include <deque>
#include <mutex>
#include <new>
#include <string>
#include <vector>

#include <unistd.h>

#include "core/error.h"
#include "core/threads.h"
#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace ml {

namespace {

// Small blocks (<= 64 KiB): small models allocate and free many same-sized buffers per call;
// glibc's malloc/free was a third of a 40-40 MLP gradient. So each thread keeps a few freed
// blocks per power-of-two size class and reuses them.
constexpr size_t kMinBlock = 64;
constexpr int kClasses = 11;  // 64 B .. 64 KiB
constexpr size_t kBlocksPerClass = 16;

// Medium blocks (64 KiB .. 1 MiB): the parameters of conv nets (a 64x64x3x3 float32 weight is
// 144 KiB) and their activations. Power-of-two classes would round 144 KiB up to 256 KiB, and
// MAML keeps one parameter copy per inner step: 1.77 copies held per copy needed on conv4. So
// medium blocks are sized to whole pages, and each thread keeps recently freed ones (up to
// kMediumCacheBytes) for reuse at exactly the same size: a workload repeats a few shapes.
constexpr size_t kPage = 4096;
constexpr size_t kMediumCacheBytes = size_t(32) << 20;

// Large blocks (> 1 MiB: conv activations of a whole episode, im2col buffers). glibc raises
// its mmap threshold each time a large mmapped block is freed, after which large blocks come
// from the heap and fragment it: evaluating 300 conv4 episodes grew RSS to 2 GB while live
// tensors stayed near 100 MB. So large blocks always go through mmap (fixed threshold) and
// the most recently freed ones are kept, up to a cap (below), in one shared cache: episodes
// of one configuration have the same shapes, so reuse is exact and skips mmap's page faults.
// The cap is per worker thread: tasks of a meta-batch run concurrently, each with its own
// episode-sized blocks (two concurrent 75-image conv4 passes overflowed a fixed 256 MiB and
// paid ~130k page faults per meta-iteration).
constexpr size_t kLargeThreshold = size_t(1) << 20;
constexpr size_t kLargeCacheBytesPerThread = size_t(256) << 20;

size_t large_cache_cap() {
  static const size_t cap = kLargeCacheBytesPerThread * static_cast<size_t>(std::max(1, default_num_threads()));
  return cap;
}

struct SmallCache {
  std::vector<void*> blocks[kClasses];
  ~SmallCache() {
    for (auto& list : blocks)
      for (void* p : list) std::free(p);
  }
};

thread_local SmallCache small_cache;

struct SizedBlock {
  void* p;
  size_t bytes;
};

struct MediumCache {
  std::vector<SizedBlock> blocks;  // oldest first
  size_t total = 0;
  ~MediumCache() {
    for (const SizedBlock& b : blocks) std::free(b.p);
  }
};

thread_local MediumCache medium_cache;

struct LargeCache {
  std::mutex mutex;
  std::deque<SizedBlock> blocks;  // oldest first
  size_t total = 0;
};

LargeCache& large_cache() {
  static LargeCache* cache = new LargeCache();  // never destroyed: blocks may be released during static destruction
  return *cache;
}

constexpr int kMedium = -1;
constexpr int kLarge = -2;

// Size class of a request (a small class, kMedium or kLarge) and the bytes its block has.
int size_class(size_t bytes, size_t* rounded) {
  size_t size = kMinBlock;
  for (int c = 0; c < kClasses; ++c, size *= 2)
    if (bytes <= size) {
      *rounded = size;
      return c;
    }
  *rounded = ((bytes + kPage - 1) / kPage) * kPage;
  return bytes <= kLargeThreshold ? kMedium : kLarge;
}

void drop_large_cache();

[[noreturn]] void fail_out_of_memory(size_t bytes, const char* what) {
  fail(ErrorKind::OutOfMemory, "out of memory: could not allocate " + std::to_string(bytes) + " bytes for " + what);
}

// A fresh block; when the OS refuses, the large-block cache is returned to it and the request
// tried once more before failing.
void* allocate(size_t rounded, const char* what) {
#if defined(__GLIBC__)
  static const bool threshold_fixed = mallopt(M_MMAP_THRESHOLD, static_cast<int>(kLargeThreshold)) == 1;
  (void)threshold_fixed;
#endif
  void* p = std::aligned_alloc(64, rounded);
  if (!p) {
    drop_large_cache();
    p = std::aligned_alloc(64, rounded);
  }
  if (!p) fail_out_of_memory(rounded, what);
  return p;
}

void* acquire_medium(size_t rounded, const char* what) {
  std::vector<SizedBlock>& blocks = medium_cache.blocks;
  for (size_t b = blocks.size(); b-- > 0;) {
    if (blocks[b].bytes != rounded) continue;
    void* p = blocks[b].p;
    medium_cache.total -= rounded;
    blocks.erase(blocks.begin() + static_cast<std::ptrdiff_t>(b));
    return p;
  }
  return allocate(rounded, what);
}

void release_medium(void* p, size_t rounded) {
  std::vector<SizedBlock>& blocks = medium_cache.blocks;
  blocks.push_back({p, rounded});
  medium_cache.total += rounded;
  size_t evict = 0;
  while (medium_cache.total > kMediumCacheBytes) medium_cache.total -= blocks[evict++].bytes;
  for (size_t b = 0; b < evict; ++b) std::free(blocks[b].p);
  blocks.erase(blocks.begin(), blocks.begin() + static_cast<std::ptrdiff_t>(evict));
}

void* acquire_large(size_t rounded, const char* what) {
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
  return allocate(rounded, what);
}

void drop_large_cache() {
  LargeCache& cache = large_cache();
  std::deque<SizedBlock> dropped;
  {
    std::lock_guard<std::mutex> lock(cache.mutex);
    dropped.swap(cache.blocks);
    cache.total = 0;
  }
  for (const SizedBlock& b : dropped) std::free(b.p);
}

void release_large(void* p, size_t rounded) {
  LargeCache& cache = large_cache();
  std::vector<void*> evicted;
  {
    std::lock_guard<std::mutex> lock(cache.mutex);
    cache.blocks.push_back({p, rounded});
    cache.total += rounded;
    while (cache.total > large_cache_cap()) {
      evicted.push_back(cache.blocks.front().p);
      cache.total -= cache.blocks.front().bytes;
      cache.blocks.pop_front();
    }
  }
  for (void* q : evicted) std::free(q);
}

// Live and peak bytes of blocks handed out (block_bytes()). Relaxed atomics: the counts
// are read after the work that allocates has finished (tests, benchmarks).
struct ByteCounter {
  std::atomic<size_t> live{0}, peak{0};
  void add(size_t bytes) {
    size_t now = live.fetch_add(bytes, std::memory_order_relaxed) + bytes;
    size_t seen = peak.load(std::memory_order_relaxed);
    while (now > seen && !peak.compare_exchange_weak(seen, now, std::memory_order_relaxed)) {
    }
  }
  void remove(size_t bytes) { live.fetch_sub(bytes, std::memory_order_relaxed); }
};

ByteCounter requested_bytes, held_bytes;

void count_acquired(size_t bytes, size_t rounded) {
  requested_bytes.add(bytes);
  held_bytes.add(rounded);
}

void count_released(size_t bytes, size_t rounded) {
  requested_bytes.remove(bytes);
  held_bytes.remove(rounded);
}

}  // namespace

size_t max_block_bytes() {
  static const size_t cap = [] {
    long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    // Unknown: 1 TiB. Either way far below SIZE_MAX, so rounding a granted size cannot wrap.
    return pages > 0 && page > 0 ? static_cast<size_t>(pages) * static_cast<size_t>(page) : size_t(1) << 40;
  }();
  return cap;
}

void* acquire_block(size_t bytes, const char* what) {
  if (bytes > max_block_bytes()) fail_out_of_memory(bytes, what);
  size_t rounded;
  int c = size_class(bytes, &rounded);
  void* p = nullptr;
  if (c == kLarge) {
    p = acquire_large(rounded, what);
  } else if (c == kMedium) {
    p = acquire_medium(rounded, what);
  } else if (!small_cache.blocks[c].empty()) {
    p = small_cache.blocks[c].back();
    small_cache.blocks[c].pop_back();
  } else {
    p = allocate(rounded, what);
  }
  count_acquired(bytes, rounded);  // only what was granted
  return p;
}

void release_block(void* p, size_t bytes) {
  size_t rounded;
  int c = size_class(bytes, &rounded);
  count_released(bytes, rounded);
  if (c == kLarge) return release_large(p, rounded);
  if (c == kMedium) return release_medium(p, rounded);
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

BlockBytes block_bytes() {
  return {requested_bytes.live.load(), requested_bytes.peak.load(), held_bytes.live.load(), held_bytes.peak.load()};
}

void reset_peak_block_bytes() {
  requested_bytes.peak.store(requested_bytes.live.load());
  held_bytes.peak.store(held_bytes.live.load());
}

}  // namespace ml
