// Operations of the IR: TFLite's builtin op set as far as mobile vision needs it, plus the
// training-only BATCH_NORM and DROPOUT that passes remove before export. Options mirror
// TFLite's *Options tables, field for field where we use them.
#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

namespace edgeforge::ir {

enum class OpType {
  kConv2D,
  kDepthwiseConv2D,
  kFullyConnected,
  kAdd,
  kSub,
  kMul,
  kAveragePool2D,
  kMaxPool2D,
  kMean,
  kReshape,
  kSqueeze,
  kSoftmax,
  kLogistic,
  kTanh,
  kRelu,
  kRelu6,
  kHardSwish,
  kPad,
  kConcatenation,
  kSplit,
  kQuantize,
  kDequantize,
  kL2Normalization,
  kResizeBilinear,
  kResizeNearestNeighbor,
  kArgMax,
  kCast,
  // Training form only; never written to a .tflite.
  kBatchNorm,
  kDropout,
  // A TFLite builtin we read but cannot run (Op::builtin_code says which), or a custom op
  // (Op::custom_code names it).
  kUnsupportedBuiltin,
  kCustom,
};

// Upper-case TFLite name ("CONV_2D"); for unsupported builtins use OpName(const Op&).
const char* OpTypeName(OpType type);

enum class Padding { kSame, kValid };

// TFLite's ActivationFunctionType, same values.
enum class Activation { kNone = 0, kRelu = 1, kReluN1To1 = 2, kRelu6 = 3, kTanh = 4, kSignBit = 5 };
const char* ActivationName(Activation a);

struct Conv2DOptions {
  Padding padding = Padding::kSame;
  int32_t stride_w = 1, stride_h = 1;
  Activation activation = Activation::kNone;
  int32_t dilation_w = 1, dilation_h = 1;
  bool operator==(const Conv2DOptions&) const = default;
};

struct DepthwiseConv2DOptions {
  Padding padding = Padding::kSame;
  int32_t stride_w = 1, stride_h = 1;
  int32_t depth_multiplier = 1;
  Activation activation = Activation::kNone;
  int32_t dilation_w = 1, dilation_h = 1;
  bool operator==(const DepthwiseConv2DOptions&) const = default;
};

struct FullyConnectedOptions {
  Activation activation = Activation::kNone;
  bool keep_num_dims = false;
  bool operator==(const FullyConnectedOptions&) const = default;
};

// ADD, SUB, MUL.
struct ElementwiseOptions {
  Activation activation = Activation::kNone;
  bool operator==(const ElementwiseOptions&) const = default;
};

// AVERAGE_POOL_2D, MAX_POOL_2D.
struct Pool2DOptions {
  Padding padding = Padding::kValid;
  int32_t stride_w = 1, stride_h = 1;
  int32_t filter_w = 1, filter_h = 1;
  Activation activation = Activation::kNone;
  bool operator==(const Pool2DOptions&) const = default;
};

// MEAN (axes come from input 1, a constant int32 tensor).
struct ReducerOptions {
  bool keep_dims = false;
  bool operator==(const ReducerOptions&) const = default;
};

// RESHAPE: new_shape may be empty when the shape comes from input 1.
struct ReshapeOptions {
  std::vector<int32_t> new_shape;
  bool operator==(const ReshapeOptions&) const = default;
};

struct SqueezeOptions {
  std::vector<int32_t> squeeze_dims;
  bool operator==(const SqueezeOptions&) const = default;
};

struct SoftmaxOptions {
  float beta = 1.0f;
  bool operator==(const SoftmaxOptions&) const = default;
};

struct ConcatenationOptions {
  int32_t axis = 0;
  Activation activation = Activation::kNone;
  bool operator==(const ConcatenationOptions&) const = default;
};

// SPLIT: input 0 is the axis (constant int32 scalar), input 1 the tensor.
struct SplitOptions {
  int32_t num_splits = 1;
  bool operator==(const SplitOptions&) const = default;
};

struct L2NormOptions {
  Activation activation = Activation::kNone;
  bool operator==(const L2NormOptions&) const = default;
};

// RESIZE_BILINEAR, RESIZE_NEAREST_NEIGHBOR (size from input 1, constant int32 [2]).
struct ResizeOptions {
  bool align_corners = false;
  bool half_pixel_centers = false;
  bool operator==(const ResizeOptions&) const = default;
};

// ARG_MAX (axis from input 1). output_type is the DType of output 0 (int32 or int64).
struct ArgMaxOptions {
  bool output_int64 = true;
  bool operator==(const ArgMaxOptions&) const = default;
};

struct BatchNormOptions {
  float epsilon = 1e-3f;
  float momentum = 0.99f;  // TF convention: running = momentum * running + (1 - momentum) * batch
  bool operator==(const BatchNormOptions&) const = default;
};

struct DropoutOptions {
  float rate = 0.2f;
  bool operator==(const DropoutOptions&) const = default;
};

// Custom ops keep their options bytes untouched.
struct CustomOptions {
  std::vector<uint8_t> bytes;
  bool operator==(const CustomOptions&) const = default;
};

using OpOptions =
    std::variant<std::monostate, Conv2DOptions, DepthwiseConv2DOptions, FullyConnectedOptions,
                 ElementwiseOptions, Pool2DOptions, ReducerOptions, ReshapeOptions,
                 SqueezeOptions, SoftmaxOptions, ConcatenationOptions, SplitOptions,
                 L2NormOptions, ResizeOptions, ArgMaxOptions, BatchNormOptions, DropoutOptions,
                 CustomOptions>;

// An absent optional input (TFLite's -1), e.g. a convolution without bias.
inline constexpr int kNoTensor = -1;

struct Op {
  OpType type = OpType::kCustom;
  int32_t version = 1;
  std::vector<int> inputs;   // tensor indices; kNoTensor for an absent optional input
  std::vector<int> outputs;  // tensor indices
  OpOptions options;
  // TFLite BuiltinOperator code (kept for every builtin; the name of unsupported ones).
  int32_t builtin_code = -1;
  // Name of a custom op (OpType::kCustom), e.g. "edgetpu-custom-op".
  std::string custom_code;

  template <typename T>
  const T& opts() const { return std::get<T>(options); }
  template <typename T>
  T& opts() { return std::get<T>(options); }
  bool operator==(const Op&) const = default;
};

// "CONV_2D", "UNIDIRECTIONAL_SEQUENCE_LSTM", "CUSTOM(edgetpu-custom-op)".
std::string OpName(const Op& op);

// TFLite's BuiltinOperator name for a code ("" when unknown).
const char* BuiltinOperatorName(int32_t code);

}  // namespace edgeforge::ir
