#include "ops/cpu/max_pool2d.h"

namespace ml::cpu {
namespace {

// Offset within one [H,W] plane of the window's first maximum (strict > keeps the first).
template <class T>
int64_t window_argmax(const T* plane, int64_t oh, int64_t ow, const Pool2dGeometry& g) {
  int64_t h0 = oh * g.SH, w0 = ow * g.SW;
  int64_t best = h0 * g.W + w0;
  T best_value = plane[best];
  for (int64_t kh = 0; kh < g.KH; ++kh)
    for (int64_t kw = 0; kw < g.KW; ++kw) {
      int64_t at = (h0 + kh) * g.W + (w0 + kw);
      if (plane[at] > best_value) {
        best_value = plane[at];
        best = at;
      }
    }
  return best;
}

// Calls f(plane_offset, pooled_index, argmax_offset) for every window.
template <class T, class F>
void for_each_window(const T* x, const Pool2dGeometry& g, F f) {
  for (int64_t p = 0; p < g.N * g.C; ++p) {
    int64_t plane = p * g.H * g.W;
    for (int64_t oh = 0; oh < g.OH; ++oh)
      for (int64_t ow = 0; ow < g.OW; ++ow)
        f(plane, (p * g.OH + oh) * g.OW + ow, window_argmax(x + plane, oh, ow, g));
  }
}

}  // namespace

template <class T>
void max_pool2d_forward(T* out, const T* x, const Pool2dGeometry& g) {
  for_each_window(x, g, [&](int64_t plane, int64_t o, int64_t at) { out[o] = x[plane + at]; });
}

template <class T>
void max_pool2d_select(T* out, const T* x, const T* t, const Pool2dGeometry& g) {
  for_each_window(x, g, [&](int64_t plane, int64_t o, int64_t at) { out[o] = t[plane + at]; });
}

template <class T>
void max_pool2d_scatter(T* out, const T* x, const T* grad, const Pool2dGeometry& g) {
  for (int64_t i = 0; i < g.N * g.C * g.H * g.W; ++i) out[i] = T(0);
  for_each_window(x, g, [&](int64_t plane, int64_t o, int64_t at) { out[plane + at] += grad[o]; });
}

#define ML_INSTANTIATE(T)                                                              \
  template void max_pool2d_forward<T>(T*, const T*, const Pool2dGeometry&);            \
  template void max_pool2d_select<T>(T*, const T*, const T*, const Pool2dGeometry&);   \
  template void max_pool2d_scatter<T>(T*, const T*, const T*, const Pool2dGeometry&);
ML_INSTANTIATE(float)
ML_INSTANTIATE(double)
#undef ML_INSTANTIATE

}  // namespace ml::cpu
