#include "ops/cpu/conv2d.h"

#include <new>
#include <string>
#include <vector>

#include "core/allocator.h"
#include "core/error.h"
#include "ops/cpu/blas_dispatch.h"

namespace ml::cpu {
namespace {

// The zeroed [patch, pixels] im2col scratch matrix; ErrorKind::OutOfMemory naming it when it
// cannot be had (patch and pixels are each <= INT32_MAX: ops.cpp checks, so no overflow here).
template <class T>
std::vector<T> im2col_buffer(int64_t patch, int64_t pixels, const char* op) {
  const size_t count = static_cast<size_t>(patch) * static_cast<size_t>(pixels);
  const std::string what = std::string(op) + "'s im2col buffer [" + std::to_string(patch) + "," +
                           std::to_string(pixels) + "]";
  if (count > max_block_bytes() / sizeof(T))
    fail(ErrorKind::OutOfMemory, "out of memory: could not allocate " + std::to_string(count) + " x " +
                                     std::to_string(sizeof(T)) + " bytes for " + what);
  try {
    return std::vector<T>(count);
  } catch (const std::bad_alloc&) {
    fail(ErrorKind::OutOfMemory,
         "out of memory: could not allocate " + std::to_string(count * sizeof(T)) + " bytes for " + what);
  }
}

// The output columns ow whose input column iw = ow*SW - PW + kw lies inside [0, W): [lo, hi).
// Computing the range once per row replaces a bounds test per element.
inline void valid_columns(int64_t kw, const Conv2dGeometry& g, int64_t* lo, int64_t* hi) {
  // iw >= 0  <=>  ow >= ceil((PW - kw) / SW);   iw < W  <=>  ow <= floor((W - 1 + PW - kw) / SW)
  int64_t first = g.PW - kw, last = g.W - 1 + g.PW - kw;
  *lo = first <= 0 ? 0 : (first + g.SW - 1) / g.SW;
  *hi = last < 0 ? 0 : last / g.SW + 1;
  if (*hi > g.OW) *hi = g.OW;
  if (*lo > *hi) *lo = *hi;
}

// col [C*KH*KW, OH*OW] <- one image x [C,H,W]; out-of-image taps are zero.
template <class T>
void im2col(T* col, const T* x, const Conv2dGeometry& g) {
  for (int64_t c = 0; c < g.C; ++c)
    for (int64_t kh = 0; kh < g.KH; ++kh)
      for (int64_t kw = 0; kw < g.KW; ++kw) {
        T* row = col + ((c * g.KH + kh) * g.KW + kw) * g.OH * g.OW;
        const T* plane = x + c * g.H * g.W;
        int64_t lo, hi;
        valid_columns(kw, g, &lo, &hi);
        for (int64_t oh = 0; oh < g.OH; ++oh) {
          int64_t ih = oh * g.SH - g.PH + kh;
          T* dst = row + oh * g.OW;
          if (ih < 0 || ih >= g.H) {
            for (int64_t ow = 0; ow < g.OW; ++ow) dst[ow] = T(0);
            continue;
          }
          const T* src = plane + ih * g.W - g.PW + kw;  // src[ow * SW] is tap (ih, ow*SW - PW + kw)
          for (int64_t ow = 0; ow < lo; ++ow) dst[ow] = T(0);
          if (g.SW == 1) {
            for (int64_t ow = lo; ow < hi; ++ow) dst[ow] = src[ow];
          } else {
            for (int64_t ow = lo; ow < hi; ++ow) dst[ow] = src[ow * g.SW];
          }
          for (int64_t ow = hi; ow < g.OW; ++ow) dst[ow] = T(0);
        }
      }
}

// x [C,H,W] += the adjoint of im2col applied to col.
template <class T>
void col2im_add(T* x, const T* col, const Conv2dGeometry& g) {
  for (int64_t c = 0; c < g.C; ++c)
    for (int64_t kh = 0; kh < g.KH; ++kh)
      for (int64_t kw = 0; kw < g.KW; ++kw) {
        const T* row = col + ((c * g.KH + kh) * g.KW + kw) * g.OH * g.OW;
        T* plane = x + c * g.H * g.W;
        int64_t lo, hi;
        valid_columns(kw, g, &lo, &hi);
        for (int64_t oh = 0; oh < g.OH; ++oh) {
          int64_t ih = oh * g.SH - g.PH + kh;
          if (ih < 0 || ih >= g.H) continue;
          const T* src = row + oh * g.OW;
          T* dst = plane + ih * g.W - g.PW + kw;
          if (g.SW == 1) {
            for (int64_t ow = lo; ow < hi; ++ow) dst[ow] += src[ow];
          } else {
            for (int64_t ow = lo; ow < hi; ++ow) dst[ow * g.SW] += src[ow];
          }
        }
      }
}

}  // namespace

template <class T>
void conv2d_forward(T* out, const T* x, const T* w, const Conv2dGeometry& g) {
  int64_t patch = g.C * g.KH * g.KW, pixels = g.OH * g.OW;
  if (patch == 0) {
    for (int64_t i = 0; i < g.N * g.O * pixels; ++i) out[i] = T(0);
    return;
  }
  std::vector<T> col = im2col_buffer<T>(patch, pixels, "conv2d");
  for (int64_t n = 0; n < g.N; ++n) {
    im2col(col.data(), x + n * g.C * g.H * g.W, g);
    // out[n] [O, pixels] = w [O, patch] x col [patch, pixels]
    gemm(false, false, static_cast<int>(g.O), static_cast<int>(pixels), static_cast<int>(patch), T(1), w,
         static_cast<int>(patch), col.data(), static_cast<int>(pixels), T(0), out + n * g.O * pixels,
         static_cast<int>(pixels));
  }
}

template <class T>
void conv2d_backward_input(T* dx, const T* dy, const T* w, const Conv2dGeometry& g) {
  int64_t patch = g.C * g.KH * g.KW, pixels = g.OH * g.OW;
  for (int64_t i = 0; i < g.N * g.C * g.H * g.W; ++i) dx[i] = T(0);
  if (patch == 0 || pixels == 0 || g.O == 0) return;
  std::vector<T> col = im2col_buffer<T>(patch, pixels, "conv2dBackwardInput");
  for (int64_t n = 0; n < g.N; ++n) {
    // col [patch, pixels] = w^T [patch, O] x dy[n] [O, pixels]
    gemm(true, false, static_cast<int>(patch), static_cast<int>(pixels), static_cast<int>(g.O), T(1), w,
         static_cast<int>(patch), dy + n * g.O * pixels, static_cast<int>(pixels), T(0), col.data(),
         static_cast<int>(pixels));
    col2im_add(dx + n * g.C * g.H * g.W, col.data(), g);
  }
}

template <class T>
void conv2d_backward_weight(T* dw, const T* x, const T* dy, const Conv2dGeometry& g) {
  int64_t patch = g.C * g.KH * g.KW, pixels = g.OH * g.OW;
  for (int64_t i = 0; i < g.O * patch; ++i) dw[i] = T(0);
  if (patch == 0 || pixels == 0 || g.O == 0) return;
  std::vector<T> col = im2col_buffer<T>(patch, pixels, "conv2dBackwardWeight");
  for (int64_t n = 0; n < g.N; ++n) {
    im2col(col.data(), x + n * g.C * g.H * g.W, g);
    // dw [O, patch] += dy[n] [O, pixels] x col^T [pixels, patch]
    gemm(false, true, static_cast<int>(g.O), static_cast<int>(patch), static_cast<int>(pixels), T(1),
         dy + n * g.O * pixels, static_cast<int>(pixels), col.data(), static_cast<int>(pixels), T(1), dw,
         static_cast<int>(patch));
  }
}

#define ML_INSTANTIATE(T)                                                            \
  template void conv2d_forward<T>(T*, const T*, const T*, const Conv2dGeometry&);        \
  template void conv2d_backward_input<T>(T*, const T*, const T*, const Conv2dGeometry&); \
  template void conv2d_backward_weight<T>(T*, const T*, const T*, const Conv2dGeometry&);
ML_INSTANTIATE(float)
ML_INSTANTIATE(double)
#undef ML_INSTANTIATE

}  // namespace ml::cpu
