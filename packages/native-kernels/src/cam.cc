#include "cam.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "pool.h"

namespace nk {
namespace {

struct Taps {
  std::vector<int> lo, hi, extremes;
  std::vector<float> frac;
};

Taps taps(int in, int size) {
  Taps t;
  t.lo.resize(size);
  t.hi.resize(size);
  t.frac.resize(size);
  const double ratio = (double)in / size;
  for (int o = 0; o < size; o++) {
    double src = ratio * (o + 0.5) - 0.5;
    t.lo[o] = std::max(0, (int)std::floor(src));
    t.hi[o] = std::min(in - 1, (int)std::ceil(src));
    t.frac[o] = (float)(src - t.lo[o]);
  }
  std::vector<bool> at(size, false);
  at[0] = at[size - 1] = true;
  for (int i = 0; i < in; i++) {
    double centre = (i + 0.5) / ratio - 0.5;
    for (int o : {(int)std::floor(centre), (int)std::ceil(centre)})
      if (o >= 0 && o < size) at[o] = true;
  }
  for (int o = 0; o < size; o++)
    if (at[o]) t.extremes.push_back(o);
  return t;
}

}  // namespace

void cam_images(const float* maps, int n, int h, int w, int size, float flat, float* out) {
  const Taps ty = taps(h, size), tx = taps(w, size);
  const size_t pixels = (size_t)size * size;
  parallel_for(n, [&](int k) {
    std::vector<float> across((size_t)h * size);
    const float* m = maps + (size_t)k * h * w;
    float* o = out + (size_t)k * pixels;
    for (int y = 0; y < h; y++) {
      const float* row = m + (size_t)y * w;
      float* a = across.data() + (size_t)y * size;
      for (int x = 0; x < size; x++) {
        float l = std::max(0.f, row[tx.lo[x]]), r = std::max(0.f, row[tx.hi[x]]);
        a[x] = l + (r - l) * tx.frac[x];
      }
    }
    float lo = INFINITY, hi = -INFINITY;
    for (int y : ty.extremes) {
      const float* top = across.data() + (size_t)ty.lo[y] * size;
      const float* bottom = across.data() + (size_t)ty.hi[y] * size;
      for (int x : tx.extremes) {
        float v = top[x] + (bottom[x] - top[x]) * ty.frac[y];
        lo = std::min(lo, v);
        hi = std::max(hi, v);
      }
    }
    const float range = hi - lo;
    if (range <= hi * flat) {
      std::fill(o, o + pixels, hi > 0 ? 1.f : 0.f);
      return;
    }
    const float scale = 1.f / range;
    for (float& v : across) v = (v - lo) * scale;
    for (int y = 0; y < size; y++) {
      const float* top = across.data() + (size_t)ty.lo[y] * size;
      const float* bottom = across.data() + (size_t)ty.hi[y] * size;
      const float f = ty.frac[y];
      float* dst = o + (size_t)y * size;
      for (int x = 0; x < size; x++) dst[x] = std::min(1.f, std::max(0.f, top[x] + (bottom[x] - top[x]) * f));
    }
  });
}

}  // namespace nk
