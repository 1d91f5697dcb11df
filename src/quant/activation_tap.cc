#include "quant/activation_tap.h"

#include <cstring>

#include "core/float16.h"
#include "quant/graph_surgery.h"

namespace edgeforge::quant {

StatusOr<std::unique_ptr<ActivationTap>> ActivationTap::Create(const ir::Graph& graph,
                                                               const std::string& source,
                                                               int num_threads) {
  if (graph.inputs.size() != 1) {
    return InvalidArgument(source + ": has " + std::to_string(graph.inputs.size()) +
                           " inputs; expected one");
  }
  std::unique_ptr<ActivationTap> tap(new ActivationTap());
  tap->graph_ = std::make_shared<const ir::Graph>(WithEveryActivationAsOutput(graph));
  runtime::InterpreterOptions options;
  options.num_threads = num_threads;
  EF_ASSIGN_OR_RETURN(tap->interpreter_, runtime::Interpreter::Create(tap->graph_, source, options));
  return tap;
}

Status ActivationTap::Run(std::span<const uint8_t> input) {
  runtime::RtTensor& in = interpreter_->input(0);
  if (input.size() != in.bytes()) {
    return InvalidArgument("input has " + std::to_string(input.size()) + " bytes, tensor '" +
                           in.name() + "' " + ShapeToString(in.shape()) + " " +
                           DTypeName(in.dtype()) + " needs " + std::to_string(in.bytes()));
  }
  std::memcpy(in.data, input.data(), input.size());
  return interpreter_->Invoke();
}

void ActivationTap::ReadFloat(int tensor, std::vector<float>& out) const {
  const runtime::RtTensor& t = interpreter_->tensor(tensor);
  const size_t n = static_cast<size_t>(t.num_elements());
  out.resize(n);
  const float scale = t.quant().empty() ? 1.0f : t.quant().scale[0];
  const int64_t zp = t.quant().zero_point.empty() ? 0 : t.quant().zero_point[0];
  switch (t.dtype()) {
    case DType::kFloat32:
      std::memcpy(out.data(), t.data, n * sizeof(float));
      break;
    case DType::kInt8:
      for (size_t i = 0; i < n; ++i) out[i] = scale * static_cast<float>(t.as<int8_t>()[i] - zp);
      break;
    case DType::kUInt8:
      for (size_t i = 0; i < n; ++i) out[i] = scale * static_cast<float>(t.as<uint8_t>()[i] - zp);
      break;
    case DType::kInt32:
      for (size_t i = 0; i < n; ++i) out[i] = static_cast<float>(t.as<int32_t>()[i]);
      break;
    case DType::kInt64:
      for (size_t i = 0; i < n; ++i) out[i] = static_cast<float>(t.as<int64_t>()[i]);
      break;
    case DType::kFloat16:
      for (size_t i = 0; i < n; ++i) out[i] = core::HalfToFloat(t.as<uint16_t>()[i]);
      break;
    default:
      out.assign(n, 0.0f);
      break;
  }
}

}  // namespace edgeforge::quant
