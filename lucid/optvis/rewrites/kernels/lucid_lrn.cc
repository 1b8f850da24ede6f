// Local response normalisation (TensorFlow's LRN) fused into one pass each way, for float32
// NHWC tensors on CPUs, used by the "fused_lrn" rewrite (lucid/optvis/rewrites/fused_lrn.py).
// Compiled at first use by lucid/optvis/rewrites/custom_ops.py with the other kernels as one
// translation unit, so this file's names live in namespace lucid_lrn.
//
// For channel j of each pixel, with r = depth_radius:
//   s_j = bias + alpha * sum_{|k - j| <= r} x_k^2,   p_j = s_j^-beta,   y_j = x_j p_j,
//   dx_k = dy_k p_k - 2 alpha beta x_k sum_{|j - k| <= r} dy_j x_j p_j / s_j.
// LucidLRN computes y from x; LucidLRNGrad computes dx from dy and x (recomputing s and p,
// which costs less than storing and reading them back). TensorFlow's own CPU kernels form the
// window sums as a dense depth x depth product and LRNGrad as a scalar loop; the port's
// "fast_lrn" rewrite, as TensorFlow ops, makes ~10 passes over memory each way.
#include <algorithm>
#include <cmath>
#include <vector>

#include "tensorflow/core/framework/common_shape_fns.h"
#include "tensorflow/core/framework/op.h"
#include "tensorflow/core/framework/op_kernel.h"
#include "tensorflow/core/util/work_sharder.h"

using namespace tensorflow;

// TensorFlow's LRN attributes, with its defaults.
#define LUCID_LRN_ATTRS                  \
  Attr("depth_radius: int >= 0 = 5")     \
      .Attr("bias: float = 1.0")         \
      .Attr("alpha: float = 1.0")        \
      .Attr("beta: float = 0.5")         \
      .SetShapeFn(shape_inference::UnchangedShape)

REGISTER_OP("LucidLRN").Input("input: float").Output("output: float").LUCID_LRN_ATTRS;

REGISTER_OP("LucidLRNGrad")
    .Input("grads: float")
    .Input("input: float")
    .Output("output: float")
    .LUCID_LRN_ATTRS;

namespace lucid_lrn {

struct Params {  // the op's attributes
  int radius;
  float bias, alpha, beta;
};

constexpr int64_t kLanes = 16;  // rows of channels are padded to a multiple of 16 floats
using Packet = Eigen::internal::packet_traits<float>::type;  // the widest this CPU has
constexpr int64_t kPacket = Eigen::internal::unpacket_traits<Packet>::size;
static_assert(kLanes % kPacket == 0, "rows must hold whole packets");

// out[j] = sum_{d=0}^{2r} in[j + d] for j < lanes (a multiple of kLanes; in: lanes + 2r
// values; out: 64-byte aligned). One packet of sums at a time, in a register across the
// 2r + 1 terms.
inline void window_sum(const float* in, float* out, int64_t lanes, int r) {
  using Eigen::internal::padd;
  using Eigen::internal::ploadu;
  for (int64_t j = 0; j < lanes; j += kPacket) {
    Packet acc = ploadu<Packet>(in + j);
    for (int d = 1; d <= 2 * r; ++d) acc = padd(acc, ploadu<Packet>(in + j + d));
    Eigen::internal::pstore(out + j, acc);
  }
}

inline int64_t round_up(int64_t n, int64_t to) { return (n + to - 1) / to * to; }

constexpr int64_t kTile = 16;  // pixels per tile

// Per-thread scratch for a tile of kTile pixels: `pad` holds a row of depth + 2r values per
// pixel (the squares, or the gradient's terms, between r zeros on either side; rows of
// `padded` floats); s, p and ps hold rows of `lanes` floats, 64-byte aligned, contiguous.
// Lanes past `depth` hold finite values (bias ** -beta) that are never written out.
// Working a tile at a time, each stage reads values stored a whole stage earlier (reading
// just-stored values at other offsets would stall store-to-load forwarding).
struct Tile {
  Tile(int64_t depth, int r)
      : depth(depth),
        r(r),
        lanes(round_up(depth, kLanes)),
        padded(round_up(lanes + 2 * r, kLanes)),
        buffer(Eigen::ArrayXf::Zero(kTile * (padded + 3 * lanes))) {}
  float* pad(int64_t t) { return buffer.data() + t * padded; }
  float* s(int64_t t = 0) { return buffer.data() + kTile * padded + t * lanes; }
  float* p(int64_t t = 0) { return s(kTile) + t * lanes; }
  float* ps(int64_t t = 0) { return p(kTile) + t * lanes; }
  const int64_t depth, r, lanes, padded;
  Eigen::ArrayXf buffer;  // Eigen's allocator aligns to EIGEN_MAX_ALIGN_BYTES (64)
};

using Rows = Eigen::Map<Eigen::ArrayXf, Eigen::Aligned64>;

// For the `rows` pixels x (rows x depth, contiguous): s = bias + alpha * window sums of x ** 2,
// p = s ** -beta and, if with_ps, ps = p / s, into the tile's rows.
inline void normaliser(const float* x, int64_t rows, const Params& q, Tile& tile,
                       bool with_ps) {
  const int64_t depth = tile.depth;
  for (int64_t t = 0; t < rows; ++t) {
    const float* xt = x + t * depth;
    float* pad = tile.pad(t) + q.radius;
    for (int64_t j = 0; j < depth; ++j) pad[j] = xt[j] * xt[j];
  }
  for (int64_t t = 0; t < rows; ++t) window_sum(tile.pad(t), tile.s(t), tile.lanes, q.radius);
  const int64_t n = rows * tile.lanes;
  Rows s(tile.s(), n), p(tile.p(), n), ps(tile.ps(), n);
  s = q.bias + q.alpha * s;
  if (q.beta == 0.75f) {
    p = s.rsqrt();
    if (with_ps) ps = p * p;  // 1 / s
    p = p * p * p.rsqrt();    // (s^-1/2)^2 (s^-1/2)^-1/2 = s^-3/4
    if (with_ps) ps *= p;
    return;
  } else if (q.beta == 0.5f) {
    p = s.rsqrt();
  } else if (q.beta == 1.f) {
    p = s.inverse();
  } else {
    p = (-q.beta * s.log()).exp();
  }
  if (with_ps) ps = p / s;
}

// Both kernels: the attributes, read once.
class LRNKernel : public OpKernel {
 public:
  explicit LRNKernel(OpKernelConstruction* context) : OpKernel(context) {
    int64_t radius;
    OP_REQUIRES_OK(context, context->GetAttr("depth_radius", &radius));
    q_.radius = static_cast<int>(radius);
    OP_REQUIRES_OK(context, context->GetAttr("bias", &q_.bias));
    OP_REQUIRES_OK(context, context->GetAttr("alpha", &q_.alpha));
    OP_REQUIRES_OK(context, context->GetAttr("beta", &q_.beta));
  }

 protected:
  // Output 0, shaped like `input`: its data, or null if the allocation failed (the status
  // is set) or the tensor is empty (nothing to compute).
  float* allocate_like(OpKernelContext* context, const Tensor& input) {
    Tensor* output = nullptr;
    const absl::Status status = context->allocate_output(0, input.shape(), &output);
    if (!status.ok()) {
      context->SetStatus(status);
      return nullptr;
    }
    return input.NumElements() ? output->flat<float>().data() : nullptr;
  }

  // Runs work(begin, end) over the pixels of the 4-D NHWC `input` on TensorFlow's threads.
  void for_pixels(OpKernelContext* context, const Tensor& input,
                  const std::function<void(int64_t, int64_t)>& work) {
    const int64_t depth = input.dim_size(3);
    auto* workers = context->device()->tensorflow_cpu_worker_threads();
    Shard(workers->num_threads, workers->workers, input.NumElements() / depth, 40 * depth, work);
  }

  Params q_;
};

class LucidLRNOp : public LRNKernel {
 public:
  using LRNKernel::LRNKernel;
  void Compute(OpKernelContext* context) override {
    const Tensor& input = context->input(0);
    OP_REQUIRES(context, input.dims() == 4,
                errors::InvalidArgument("LucidLRN: input must be 4-D NHWC, got shape ",
                                        input.shape().DebugString()));
    float* y = allocate_like(context, input);
    if (y == nullptr) return;
    const int64_t depth = input.dim_size(3);
    const float* x = input.flat<float>().data();
    const Params q = q_;
    for_pixels(context, input, [&](int64_t begin, int64_t end) {
      Tile tile(depth, q.radius);
      for (int64_t i = begin; i < end; i += kTile) {
        const int64_t rows = std::min(kTile, end - i);
        const float* xi = x + i * depth;
        float* yi = y + i * depth;
        normaliser(xi, rows, q, tile, false);
        for (int64_t t = 0; t < rows; ++t) {
          const float* p = tile.p(t);
          for (int64_t j = 0; j < depth; ++j) yi[t * depth + j] = xi[t * depth + j] * p[j];
        }
      }
    });
  }
};

class LucidLRNGradOp : public LRNKernel {
 public:
  using LRNKernel::LRNKernel;
  void Compute(OpKernelContext* context) override {
    const Tensor& grads = context->input(0);
    const Tensor& input = context->input(1);
    OP_REQUIRES(context, input.dims() == 4 && grads.shape() == input.shape(),
                errors::InvalidArgument("LucidLRNGrad: grads and input must be 4-D NHWC of one "
                                        "shape, got ", grads.shape().DebugString(), " and ",
                                        input.shape().DebugString()));
    float* dx = allocate_like(context, input);
    if (dx == nullptr) return;
    const int64_t depth = input.dim_size(3);
    const float* x = input.flat<float>().data();
    const float* dy = grads.flat<float>().data();
    const Params q = q_;
    const float scale = 2.f * q.alpha * q.beta;
    const int r = q.radius;
    for_pixels(context, input, [&](int64_t begin, int64_t end) {
      Tile tile(depth, r);
      for (int64_t i = begin; i < end; i += kTile) {
        const int64_t rows = std::min(kTile, end - i);
        const float* xi = x + i * depth;
        const float* dyi = dy + i * depth;
        float* dxi = dx + i * depth;
        normaliser(xi, rows, q, tile, true);
        // The window sums of dy * x * p / s, into s (free now), through pad (same borders).
        for (int64_t t = 0; t < rows; ++t) {
          const float* ps = tile.ps(t);
          float* pad = tile.pad(t) + r;
          for (int64_t j = 0; j < depth; ++j) {
            pad[j] = dyi[t * depth + j] * xi[t * depth + j] * ps[j];
          }
        }
        for (int64_t t = 0; t < rows; ++t) window_sum(tile.pad(t), tile.s(t), tile.lanes, r);
        for (int64_t t = 0; t < rows; ++t) {
          const float* p = tile.p(t);
          const float* w = tile.s(t);
          const int64_t o = t * depth;
          for (int64_t j = 0; j < depth; ++j) {
            dxi[o + j] = dyi[o + j] * p[j] - scale * xi[o + j] * w[j];
          }
        }
      }
    });
  }
};

REGISTER_KERNEL_BUILDER(Name("LucidLRN").Device(DEVICE_CPU), LucidLRNOp);
REGISTER_KERNEL_BUILDER(Name("LucidLRNGrad").Device(DEVICE_CPU), LucidLRNGradOp);

}  // namespace lucid_lrn
