// How many threads batched work (the meta-batch engine) uses: METALEARN_THREADS when set to a
// positive integer, else the machine's hardware threads.
#pragma once

namespace ml {

int default_num_threads();

}  // namespace ml
