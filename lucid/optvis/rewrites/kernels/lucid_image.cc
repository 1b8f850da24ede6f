// Projective transforms of float32 NHWC images on CPUs (the rotations of the transforms,
// lucid/optvis/transform.py and batch_transforms.py), used by the "image_kernels" rewrite
// (lucid/optvis/rewrites/image_kernels.py). Compiled at first use by
// lucid/optvis/rewrites/custom_ops.py with the other kernels as one translation unit, so this
// file's names live in namespace lucid_image.
//
// LucidProjectiveTransform computes what ImageProjectiveTransformV3 (NEAREST or BILINEAR,
// fill_mode CONSTANT) computes, with the same float operations in the same order for every
// value, so the results are equal bit for bit (built without contracted multiply-adds).
// TensorFlow's CPU kernel works out the sample position once per value (every channel again)
// through a generic generator; this one does it once per pixel, image rows split over
// TensorFlow's intra-op threads.
#include <cmath>
#include <functional>
#include <string>

#include "tensorflow/core/framework/op.h"
#include "tensorflow/core/framework/op_kernel.h"
#include "tensorflow/core/framework/shape_inference.h"
#include "tensorflow/core/util/work_sharder.h"

using namespace tensorflow;
using shape_inference::InferenceContext;
using shape_inference::ShapeHandle;

namespace lucid_image {

// Output [batch, size[0], size[1], channels] from input 0's batch and channels and the 2-vector
// input `size_input`.
absl::Status resized_shape(InferenceContext* c, int size_input) {
  ShapeHandle input, size;
  TF_RETURN_IF_ERROR(c->WithRank(c->input(0), 4, &input));
  TF_RETURN_IF_ERROR(c->MakeShapeFromShapeTensor(size_input, &size));
  TF_RETURN_IF_ERROR(c->WithRank(size, 2, &size));
  c->set_output(0, c->MakeShape({c->Dim(input, 0), c->Dim(size, 0), c->Dim(size, 1),
                                 c->Dim(input, 3)}));
  return absl::OkStatus();
}

}  // namespace lucid_image

REGISTER_OP("LucidProjectiveTransform")
    .Input("images: float")
    .Input("transforms: float")
    .Input("output_shape: int32")
    .Attr("interpolation: {'NEAREST', 'BILINEAR'}")
    .Attr("fill_value: float = 0.0")
    .Output("transformed: float")
    .SetShapeFn([](InferenceContext* c) { return lucid_image::resized_shape(c, 2); });

namespace lucid_image {

void shard(OpKernelContext* context, int64_t total, int64_t cost,
           const std::function<void(int64_t, int64_t)>& work) {
  auto* workers = context->device()->tensorflow_cpu_worker_threads();
  Shard(workers->num_threads, workers->workers, total, cost, work);
}

// Sets an InvalidArgument status naming the op; returns false.
template <typename... Args>
bool invalid(OpKernelContext* context, Args... message) {
  context->SetStatus(errors::InvalidArgument(context->op_kernel().type_string(), ": ",
                                             message...));
  return false;
}

// Reads a 2-vector of positive sizes from input `index`; false (the status set) otherwise.
bool read_size(OpKernelContext* context, int index, int64_t* height, int64_t* width) {
  const Tensor& size = context->input(index);
  if (size.dims() != 1 || size.NumElements() != 2) {
    return invalid(context, "input ", index, " must be a 2-vector of sizes, got shape ",
                   size.shape().DebugString());
  }
  *height = size.vec<int32>()(0);
  *width = size.vec<int32>()(1);
  if (*height <= 0 || *width <= 0) {
    return invalid(context, "sizes must be positive, got ", *height, "x", *width);
  }
  return true;
}

// images: 4-D; transforms: [batch, 8], or [1, 8] (one for all).
bool check_images(OpKernelContext* context, const Tensor& images, const Tensor& transforms) {
  if (images.dims() != 4) {
    return invalid(context, "images must be 4-D NHWC, got shape ", images.shape().DebugString());
  }
  const int64_t batch = images.dim_size(0);
  if (transforms.dims() != 2 || transforms.dim_size(1) != 8 ||
      (transforms.dim_size(0) != batch && transforms.dim_size(0) != 1)) {
    return invalid(context, "transforms must be [", batch, ", 8] or [1, 8], got shape ",
                   transforms.shape().DebugString());
  }
  return true;
}

class ProjectiveTransformOp : public OpKernel {
 public:
  explicit ProjectiveTransformOp(OpKernelConstruction* context) : OpKernel(context) {
    OP_REQUIRES_OK(context, context->GetAttr("fill_value", &fill_));
    std::string interpolation;
    OP_REQUIRES_OK(context, context->GetAttr("interpolation", &interpolation));
    nearest_ = interpolation == "NEAREST";
  }

  void Compute(OpKernelContext* context) override {
    const Tensor& images = context->input(0);
    const Tensor& transforms = context->input(1);
    int64_t out_h, out_w;
    if (!check_images(context, images, transforms) || !read_size(context, 2, &out_h, &out_w))
      return;
    const int64_t batch = images.dim_size(0), in_h = images.dim_size(1);
    const int64_t in_w = images.dim_size(2), depth = images.dim_size(3);
    Tensor* output = nullptr;
    OP_REQUIRES_OK(context, context->allocate_output(
                                0, TensorShape({batch, out_h, out_w, depth}), &output));
    const float* in = images.flat<float>().data();
    const float* all_transforms = transforms.flat<float>().data();
    const bool shared = transforms.dim_size(0) == 1;
    float* out = output->flat<float>().data();
    const float fill = fill_;
    const bool nearest = nearest_;
    // The pixel (yy, xx) (integer-valued floats), or null outside the image (the fill value).
    auto at = [&](const float* image, float yy, float xx) -> const float* {
      if (!(yy >= 0 && yy < in_h && xx >= 0 && xx < in_w)) return nullptr;
      return image + (static_cast<int64_t>(yy) * in_w + static_cast<int64_t>(xx)) * depth;
    };
    shard(context, batch * out_h, out_w * (depth * 8 + 40), [&](int64_t begin, int64_t end) {
      for (int64_t row = begin; row < end; ++row) {
        const int64_t b = row / out_h, output_y = row % out_h;
        const float* t = all_transforms + (shared ? 0 : 8 * b);
        const float* image = in + b * in_h * in_w * depth;
        float* o = out + row * out_w * depth;
        for (int64_t output_x = 0; output_x < out_w; ++output_x, o += depth) {
          // ImageProjectiveTransformV3's arithmetic, once per pixel.
          const float projection = t[6] * output_x + t[7] * output_y + 1.f;
          if (projection == 0) {
            for (int64_t d = 0; d < depth; ++d) o[d] = fill;
            continue;
          }
          const float x = (t[0] * output_x + t[1] * output_y + t[2]) / projection;
          const float y = (t[3] * output_x + t[4] * output_y + t[5]) / projection;
          if (nearest) {
            const float* p = at(image, std::round(y), std::round(x));
            for (int64_t d = 0; d < depth; ++d) o[d] = p ? p[d] : fill;
            continue;
          }
          const float y_floor = std::floor(y), x_floor = std::floor(x);
          const float y_ceil = y_floor + 1, x_ceil = x_floor + 1;
          const float wx0 = x_ceil - x, wx1 = x - x_floor;
          const float wy0 = y_ceil - y, wy1 = y - y_floor;
          if (y_floor >= 0 && y_ceil < in_h && x_floor >= 0 && x_ceil < in_w) {
            // All four neighbours inside (most pixels).
            const float* p00 = image + (static_cast<int64_t>(y_floor) * in_w +
                                        static_cast<int64_t>(x_floor)) * depth;
            const float* p10 = p00 + in_w * depth;
            for (int64_t d = 0; d < depth; ++d) {
              const float value_yfloor = wx0 * p00[d] + wx1 * p00[depth + d];
              const float value_yceil = wx0 * p10[d] + wx1 * p10[depth + d];
              o[d] = wy0 * value_yfloor + wy1 * value_yceil;
            }
            continue;
          }
          // The neighbours that fall outside read the fill value.
          const float* p00 = at(image, y_floor, x_floor);
          const float* p01 = at(image, y_floor, x_ceil);
          const float* p10 = at(image, y_ceil, x_floor);
          const float* p11 = at(image, y_ceil, x_ceil);
          for (int64_t d = 0; d < depth; ++d) {
            const float value_yfloor = wx0 * (p00 ? p00[d] : fill) + wx1 * (p01 ? p01[d] : fill);
            const float value_yceil = wx0 * (p10 ? p10[d] : fill) + wx1 * (p11 ? p11[d] : fill);
            o[d] = wy0 * value_yfloor + wy1 * value_yceil;
          }
        }
      }
    });
  }

 private:
  float fill_;
  bool nearest_;
};

REGISTER_KERNEL_BUILDER(Name("LucidProjectiveTransform").Device(DEVICE_CPU),
                        ProjectiveTransformOp);

}  // namespace lucid_image
