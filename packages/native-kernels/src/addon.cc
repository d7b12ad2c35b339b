// N-API bindings. Every function takes typed arrays owned by tfjs' CPU backend
// and writes into a preallocated output; sizes are checked here so that a bad
// call throws instead of corrupting memory.
#include <node_api.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "amx.h"
#include "cam.h"
#include "conv.h"
#include "eltwise.h"
#include "gemm.h"
#include "pool.h"
#include "ukernels.h"

namespace {

struct Fail {
  std::string msg;
};

struct Args {
  napi_env env;
  napi_value argv[16];
  size_t argc = 16;
  const char* fn;

  Args(napi_env e, napi_callback_info info, const char* name, size_t want) : env(e), fn(name) {
    napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
    if (argc < want) throw Fail{std::string(fn) + ": expected " + std::to_string(want) + " arguments"};
  }

  bool is_null(size_t i) const {
    napi_valuetype t;
    napi_typeof(env, argv[i], &t);
    return t == napi_null || t == napi_undefined;
  }

  template <typename T>
  T* typed(size_t i, napi_typedarray_type want, size_t* len, const char* what) const {
    bool ok = false;
    napi_is_typedarray(env, argv[i], &ok);
    if (!ok) throw Fail{std::string(fn) + ": " + what + " must be a typed array"};
    napi_typedarray_type type;
    size_t length;
    void* data;
    napi_value ab;
    size_t offset;
    napi_get_typedarray_info(env, argv[i], &type, &length, &data, &ab, &offset);
    if (type != want) throw Fail{std::string(fn) + ": " + what + " has the wrong element type"};
    *len = length;
    return static_cast<T*>(data);
  }

  float* f32(size_t i, size_t need, const char* what) const {
    size_t len;
    float* p = typed<float>(i, napi_float32_array, &len, what);
    if (len < need)
      throw Fail{std::string(fn) + ": " + what + " holds " + std::to_string(len) + " floats, needs " +
                 std::to_string(need)};
    return p;
  }

  float* f32_or_null(size_t i, size_t need, const char* what) const { return is_null(i) ? nullptr : f32(i, need, what); }

  size_t f32_len(size_t i, const char* what) const {
    size_t len;
    typed<float>(i, napi_float32_array, &len, what);
    return len;
  }

  const int32_t* i32(size_t i, size_t need, const char* what) const {
    size_t len;
    int32_t* p = typed<int32_t>(i, napi_int32_array, &len, what);
    if (len < need) throw Fail{std::string(fn) + ": " + what + " is too short"};
    return p;
  }

  double num(size_t i) const {
    double v = 0;
    if (napi_get_value_double(env, argv[i], &v) != napi_ok) throw Fail{std::string(fn) + ": argument " + std::to_string(i) + " must be a number"};
    return v;
  }
};

template <typename F>
napi_value guard(napi_env env, F&& f) {
  try {
    return f();
  } catch (const Fail& e) {
    napi_throw_type_error(env, nullptr, e.msg.c_str());
  } catch (const std::exception& e) {
    napi_throw_error(env, nullptr, e.what());
  }
  return nullptr;
}

napi_value undefined(napi_env env) {
  napi_value u;
  napi_get_undefined(env, &u);
  return u;
}

nk::ConvShape conv_shape(const Args& a, size_t i) {
  const int32_t* p = a.i32(i, 15, "conv params");
  nk::ConvShape s{p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7], p[8], p[9], p[10], p[11], p[12], p[13], p[14]};
  for (int k = 0; k < 15; k++)
    if (p[k] < 0 || (k >= 9 && k <= 10 && p[k] == 0) || (k >= 13 && p[k] == 0))
      throw Fail{std::string(a.fn) + ": bad conv params"};
  return s;
}

size_t x_size(const nk::ConvShape& s) { return (size_t)s.n * s.h * s.w * s.ci; }
size_t f_size(const nk::ConvShape& s) { return (size_t)s.kh * s.kw * s.ci * s.co; }
size_t y_size(const nk::ConvShape& s) { return (size_t)s.n * s.oh * s.ow * s.co; }

napi_value Conv2D(napi_env env, napi_callback_info info) {
  return guard(env, [&] {
    Args a(env, info, "conv2d", 4);
    nk::ConvShape s = conv_shape(a, 3);
    nk::Epilogue e;
    if (a.argc >= 7) {
      e.bias = a.f32_or_null(4, (size_t)s.co, "bias");
      e.act = (int)a.num(5);
      e.alpha = (float)a.num(6);
      if (e.act < nk::Epilogue::kLinear || e.act > nk::Epilogue::kLeakyRelu) throw Fail{"conv2d: unknown activation"};
    }
    nk::conv2d(s, a.f32(0, x_size(s), "x"), a.f32(1, f_size(s), "filter"), a.f32(2, y_size(s), "y"), e);
    return undefined(env);
  });
}

napi_value Conv2DBackpropInput(napi_env env, napi_callback_info info) {
  return guard(env, [&] {
    Args a(env, info, "conv2dBackpropInput", 4);
    nk::ConvShape s = conv_shape(a, 3);
    nk::conv2d_backprop_input(s, a.f32(0, y_size(s), "dy"), a.f32(1, f_size(s), "filter"), a.f32(2, x_size(s), "dx"));
    return undefined(env);
  });
}

napi_value Conv2DBackpropFilter(napi_env env, napi_callback_info info) {
  return guard(env, [&] {
    Args a(env, info, "conv2dBackpropFilter", 4);
    nk::ConvShape s = conv_shape(a, 3);
    nk::conv2d_backprop_filter(s, a.f32(0, x_size(s), "x"), a.f32(1, y_size(s), "dy"), a.f32(2, f_size(s), "df"));
    return undefined(env);
  });
}

// matmul(a, b, c, batch, M, N, K, transA, transB, aBatchStride, bBatchStride)
napi_value MatMul(napi_env env, napi_callback_info info) {
  return guard(env, [&] {
    Args a(env, info, "matMul", 11);
    int batch = (int)a.num(3), M = (int)a.num(4), N = (int)a.num(5), K = (int)a.num(6);
    bool ta = a.num(7) != 0, tb = a.num(8) != 0;
    size_t sa = (size_t)a.num(9), sb = (size_t)a.num(10);
    if (batch < 0 || M < 0 || N < 0 || K < 0) throw Fail{"matMul: negative size"};
    size_t na = sa * (batch - 1) + (size_t)M * K, nb = sb * (batch - 1) + (size_t)K * N;
    const float* A = a.f32(0, batch ? na : 0, "a");
    const float* B = a.f32(1, batch ? nb : 0, "b");
    float* C = a.f32(2, (size_t)batch * M * N, "c");
    if (N == 1 && !ta) {
      // B is one contiguous column either way (transposed or not).
      auto rows = [&](int i) { nk::gemv(M, K, A + sa * i, K, B + sb * i, C + (size_t)i * M); };
      if ((double)batch * M * K < 1e6) {
        for (int i = 0; i < batch; i++) rows(i);
      } else {
        nk::parallel_for(batch, rows);
      }
      return undefined(env);
    }
    std::vector<float> at;
    if (ta) at.resize((size_t)M * K);
    for (int i = 0; i < batch; i++) {
      const float* Ai = A + sa * i;
      if (ta) {
        // The indirect GEMM reads A by rows: transpose it first (K x M -> M x K).
        for (int k = 0; k < K; k++)
          for (int m = 0; m < M; m++) at[(size_t)m * K + k] = Ai[(size_t)k * M + m];
        Ai = at.data();
      }
      nk::DenseA pa(Ai, K, K);
      nk::DenseB pb(B + sb * i, tb ? K : N, tb);
      nk::DenseRows pc(C + (size_t)i * M * N, N);
      nk::igemm(M, N, pa, pb, pc);
    }
    return undefined(env);
  });
}

// binary(op, a, aStrides, b, bStrides, out, shape)
napi_value Binary(napi_env env, napi_callback_info info) {
  return guard(env, [&] {
    Args a(env, info, "binary", 7);
    int op = (int)a.num(0);
    size_t nd;
    const int32_t* shape = a.typed<int32_t>(6, napi_int32_array, &nd, "shape");
    if (nd < 1 || nd > 8) throw Fail{"binary: rank must be 1..8"};
    const int32_t* sa = a.i32(2, nd, "aStrides");
    const int32_t* sb = a.i32(4, nd, "bStrides");
    int64_t shp[8], as[8], bs[8];
    size_t total = 1, amax = 0, bmax = 0;
    for (size_t d = 0; d < nd; d++) {
      if (shape[d] < 0 || sa[d] < 0 || sb[d] < 0) throw Fail{"binary: negative shape or stride"};
      shp[d] = shape[d];
      as[d] = sa[d];
      bs[d] = sb[d];
      total *= (size_t)shape[d];
      if (shape[d] > 0) {
        amax += (size_t)(shape[d] - 1) * sa[d];
        bmax += (size_t)(shape[d] - 1) * sb[d];
      }
    }
    if ((as[nd - 1] > 1) || (bs[nd - 1] > 1)) throw Fail{"binary: innermost stride must be 0 or 1"};
    float* out = a.f32(5, total, "out");
    if (total == 0) return undefined(env);
    const float* x = a.f32(1, amax + 1, "a");
    const float* y = a.f32(3, bmax + 1, "b");
    nk::binary(op, x, as, y, bs, out, shp, (int)nd);
    return undefined(env);
  });
}

// unary(op, x, out, alpha)
napi_value Unary(napi_env env, napi_callback_info info) {
  return guard(env, [&] {
    Args a(env, info, "unary", 4);
    size_t n = a.f32_len(1, "x");
    nk::unary((int)a.num(0), a.f32(1, n, "x"), a.f32(2, n, "out"), (int64_t)n, (float)a.num(3));
    return undefined(env);
  });
}

// reduce(op, x, out, outer, red, inner)
napi_value Reduce(napi_env env, napi_callback_info info) {
  return guard(env, [&] {
    Args a(env, info, "reduce", 6);
    int64_t outer = (int64_t)a.num(3), red = (int64_t)a.num(4), inner = (int64_t)a.num(5);
    if (outer < 0 || red < 0 || inner < 0) throw Fail{"reduce: negative size"};
    const float* x = a.f32(1, (size_t)(outer * red * inner), "x");
    float* out = a.f32(2, (size_t)(outer * inner), "out");
    nk::reduce((int)a.num(0), x, out, outer, red, inner);
    return undefined(env);
  });
}

int param_len(const Args& a, size_t i, int c, const char* what) {
  if (a.is_null(i)) return 0;
  size_t n = a.f32_len(i, what);
  if (n != 1 && n != (size_t)c) throw Fail{std::string(a.fn) + ": " + what + " must hold 1 or C values"};
  return (int)n;
}

// batchNorm(x, mean, variance, scale|null, offset|null, eps, y, c)
napi_value BatchNorm(napi_env env, napi_callback_info info) {
  return guard(env, [&] {
    Args a(env, info, "batchNorm", 8);
    int c = (int)a.num(7);
    if (c <= 0) throw Fail{"batchNorm: channels must be positive"};
    size_t n = a.f32_len(0, "x");
    if (n % c) throw Fail{"batchNorm: x size is not a multiple of the channels"};
    int lm = param_len(a, 1, c, "mean"), lv = param_len(a, 2, c, "variance");
    int ls = param_len(a, 3, c, "scale"), lo = param_len(a, 4, c, "offset");
    if (!lm || !lv) throw Fail{"batchNorm: mean and variance are required"};
    nk::batch_norm(a.f32(0, n, "x"), a.f32(1, lm, "mean"), lm, a.f32(2, lv, "variance"), lv, a.f32_or_null(3, ls, "scale"),
                   ls, a.f32_or_null(4, lo, "offset"), lo, (float)a.num(5), a.f32(6, n, "y"), (int64_t)(n / c), c);
    return undefined(env);
  });
}

// batchNormGrad(x, dy, mean, variance, scale|null, eps, c, dx, dmean, dvar, dscale, doffset)
napi_value BatchNormGrad(napi_env env, napi_callback_info info) {
  return guard(env, [&] {
    Args a(env, info, "batchNormGrad", 12);
    int c = (int)a.num(6);
    if (c <= 0) throw Fail{"batchNormGrad: channels must be positive"};
    size_t n = a.f32_len(0, "x");
    if (n % c) throw Fail{"batchNormGrad: x size is not a multiple of the channels"};
    nk::batch_norm_grad(a.f32(0, n, "x"), a.f32(1, n, "dy"), a.f32(2, c, "mean"), a.f32(3, c, "variance"),
                        a.f32_or_null(4, c, "scale"), (float)a.num(5), (int64_t)(n / c), c, a.f32(7, n, "dx"),
                        a.f32(8, c, "dmean"), a.f32(9, c, "dvar"), a.f32(10, c, "dscale"), a.f32(11, c, "doffset"));
    return undefined(env);
  });
}

// grad(kind, x, dy, out, alpha): kind 0 leakyRelu, 1 relu, 2 tanh (x is y), 3 square
napi_value ElementGrad(napi_env env, napi_callback_info info) {
  return guard(env, [&] {
    Args a(env, info, "elementGrad", 5);
    size_t n = a.f32_len(1, "x");
    const float* x = a.f32(1, n, "x");
    const float* dy = a.f32(2, n, "dy");
    float* out = a.f32(3, n, "out");
    switch ((int)a.num(0)) {
      case 0: nk::leaky_relu_grad(x, dy, (float)a.num(4), out, (int64_t)n); break;
      case 1: nk::relu_grad(x, dy, out, (int64_t)n); break;
      case 2: nk::tanh_grad(x, dy, out, (int64_t)n); break;
      case 3: nk::square_grad(x, dy, out, (int64_t)n); break;
      default: throw Fail{"elementGrad: unknown kind"};
    }
    return undefined(env);
  });
}

// centeredSquareGrad(x, mean, dy, out): out = 2 * (x - mean) * dy, mean per channel (its length)
napi_value CenteredSquareGrad(napi_env env, napi_callback_info info) {
  return guard(env, [&] {
    Args a(env, info, "centeredSquareGrad", 4);
    size_t n = a.f32_len(0, "x"), c = a.f32_len(1, "mean");
    if (c == 0 || n % c) throw Fail{"centeredSquareGrad: x size is not a multiple of mean size"};
    nk::centered_square_grad(a.f32(0, n, "x"), a.f32(1, c, "mean"), a.f32(2, n, "dy"), a.f32(3, n, "out"), (int64_t)(n / c),
                             (int)c);
    return undefined(env);
  });
}

// broadcastRows(x, scale, out): out = x (scaled) repeated over rows
napi_value BroadcastRows(napi_env env, napi_callback_info info) {
  return guard(env, [&] {
    Args a(env, info, "broadcastRows", 3);
    size_t inner = a.f32_len(0, "x"), total = a.f32_len(2, "out");
    if (inner == 0 || total % inner) throw Fail{"broadcastRows: out size is not a multiple of x size"};
    nk::broadcast_rows(a.f32(0, inner, "x"), (int64_t)inner, (float)a.num(1), a.f32(2, total, "out"),
                       (int64_t)(total / inner));
    return undefined(env);
  });
}

// tile(x, xShape, reps, out)
napi_value Tile(napi_env env, napi_callback_info info) {
  return guard(env, [&] {
    Args a(env, info, "tile", 4);
    size_t nd;
    const int32_t* xs = a.typed<int32_t>(1, napi_int32_array, &nd, "xShape");
    if (nd < 1 || nd > 8) throw Fail{"tile: rank must be 1..8"};
    const int32_t* rp = a.i32(2, nd, "reps");
    int64_t shape[8], reps[8];
    size_t xn = 1, on = 1;
    for (size_t d = 0; d < nd; d++) {
      if (xs[d] < 0 || rp[d] < 0) throw Fail{"tile: negative size"};
      shape[d] = xs[d];
      reps[d] = rp[d];
      xn *= xs[d];
      on *= (size_t)xs[d] * rp[d];
    }
    float* out = a.f32(3, on, "out");
    if (on == 0) return undefined(env);
    nk::tile(a.f32(0, xn, "x"), shape, reps, (int)nd, out);
    return undefined(env);
  });
}

// resizeBilinear(x, out, n, h, w, c, oh, ow, alignCorners, halfPixelCenters)
napi_value ResizeBilinear(napi_env env, napi_callback_info info) {
  return guard(env, [&] {
    Args a(env, info, "resizeBilinear", 10);
    int n = (int)a.num(2), h = (int)a.num(3), w = (int)a.num(4), c = (int)a.num(5), oh = (int)a.num(6), ow = (int)a.num(7);
    if (n < 0 || h < 1 || w < 1 || c < 0 || oh < 0 || ow < 0) throw Fail{"resizeBilinear: bad size"};
    const float* x = a.f32(0, (size_t)n * h * w * c, "x");
    float* out = a.f32(1, (size_t)n * oh * ow * c, "out");
    nk::resize_bilinear(x, n, h, w, c, oh, ow, a.num(8) != 0, a.num(9) != 0, out);
    return undefined(env);
  });
}

// camImages(maps, out, n, h, w, size, flat)
napi_value CamImages(napi_env env, napi_callback_info info) {
  return guard(env, [&] {
    Args a(env, info, "camImages", 7);
    int n = (int)a.num(2), h = (int)a.num(3), w = (int)a.num(4), size = (int)a.num(5);
    if (n < 0 || h < 1 || w < 1 || size < 1) throw Fail{"camImages: bad size"};
    const float* maps = a.f32(0, (size_t)n * h * w, "maps");
    float* out = a.f32(1, (size_t)n * size * size, "out");
    nk::cam_images(maps, n, h, w, size, (float)a.num(6), out);
    return undefined(env);
  });
}

napi_value Info(napi_env env, napi_callback_info) {
  napi_value o, v;
  napi_create_object(env, &o);
  napi_create_string_utf8(env, nk::micro_kernels().isa, NAPI_AUTO_LENGTH, &v);
  napi_set_named_property(env, o, "isa", v);
  napi_create_int32(env, nk::micro_kernels().mr, &v);
  napi_set_named_property(env, o, "mr", v);
  napi_create_int32(env, nk::micro_kernels().nr, &v);
  napi_set_named_property(env, o, "nr", v);
  napi_create_int32(env, nk::pool_threads(), &v);
  napi_set_named_property(env, o, "threads", v);
  napi_get_boolean(env, nk::amx_supported(), &v);
  napi_set_named_property(env, o, "amxSupported", v);
  napi_get_boolean(env, nk::amx_enabled(), &v);
  napi_set_named_property(env, o, "amx", v);
  return o;
}

napi_value SetAmx(napi_env env, napi_callback_info info) {
  return guard(env, [&] {
    Args a(env, info, "setAmx", 1);
    nk::amx_set_enabled(a.num(0) != 0);
    return undefined(env);
  });
}

napi_value SetThreads(napi_env env, napi_callback_info info) {
  return guard(env, [&] {
    Args a(env, info, "setThreads", 1);
    int n = (int)a.num(0);
    if (n < 1 || n > 256) throw Fail{"setThreads: threads must be 1..256"};
    nk::pool_set_threads(n);
    return undefined(env);
  });
}

napi_value Init(napi_env env, napi_value exports) {
  struct {
    const char* name;
    napi_callback cb;
  } fns[] = {
      {"conv2d", Conv2D},       {"conv2dBackpropInput", Conv2DBackpropInput},
      {"conv2dBackpropFilter", Conv2DBackpropFilter}, {"matMul", MatMul},
      {"binary", Binary},       {"unary", Unary},
      {"reduce", Reduce},       {"batchNorm", BatchNorm},
      {"batchNormGrad", BatchNormGrad}, {"elementGrad", ElementGrad},
      {"broadcastRows", BroadcastRows}, {"tile", Tile},
      {"resizeBilinear", ResizeBilinear}, {"centeredSquareGrad", CenteredSquareGrad},
      {"camImages", CamImages},
      {"info", Info},           {"setThreads", SetThreads},
      {"setAmx", SetAmx},
  };
  for (auto& f : fns) {
    napi_value fn;
    napi_create_function(env, f.name, NAPI_AUTO_LENGTH, f.cb, nullptr, &fn);
    napi_set_named_property(env, exports, f.name, fn);
  }
  return exports;
}

}  // namespace

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
