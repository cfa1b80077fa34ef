// oneHot: labels [n] (integer class ids stored as floats) -> out [n, classes].
#pragma once
#include <cstdint>

namespace ml::cpu {

// Index of the first label that is not an integer in [0, classes), or -1 when all are valid.
template <class T>
int64_t one_hot_first_invalid(const T* labels, int64_t n, int64_t classes);
// labels must all be valid (see one_hot_first_invalid).
template <class T>
void one_hot_forward(T* out, const T* labels, int64_t n, int64_t classes);

}  // namespace ml::cpu
