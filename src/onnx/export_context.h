// The state of one export: the ONNX graph being built, unique names, and which ONNX value holds
// each IR tensor. The per-op exporters (op_exporters.h) talk to the graph only through this.
//
// Conventions every op exporter relies on:
// - An IR tensor's "operand" is a float value for float and quantized tensors (quantized ones
//   pass through DequantizeLinear) and the raw integer value otherwise.
// - Rank-4 operands are NCHW; everything else keeps TFLite's layout.
// - A quantized tensor is stored as the output of QuantizeLinear; its DequantizeLinear is added
//   when something first reads it, so unread graph outputs carry no dead nodes, and node order
//   stays topological because readers come after producers.
// - Constants (and DEQUANTIZE outputs of constants, which are folded) become initializers when
//   first read; integer weights keep their integers behind a DequantizeLinear.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <onnx/onnx_pb.h>

#include "edgeforge/status.h"
#include "ir/graph.h"
#include "onnx/constant_data.h"
#include "onnx/export.h"

namespace edgeforge::onnx_export {

// ONNX TensorProto data type of an edgeforge dtype.
int OnnxDataType(DType dtype);

// True for int8/uint8 tensors with quantization parameters (the ones that get Q/DQ).
bool IsQuantized(const ir::Tensor& tensor);

void SetAttribute(::onnx::NodeProto& node, const std::string& name, int64_t value);
void SetAttribute(::onnx::NodeProto& node, const std::string& name, float value);
void SetAttribute(::onnx::NodeProto& node, const std::string& name, const std::string& value);
void SetAttribute(::onnx::NodeProto& node, const std::string& name, const std::vector<int64_t>& values);

class ExportContext {
 public:
  ExportContext(const ir::Graph& graph, ::onnx::GraphProto& out, const ExportOptions& options = {});

  const ExportOptions& options() const { return options_; }

  const ir::Graph& graph() const { return graph_; }
  const ir::Tensor& tensor(int index) const { return graph_.tensor(index); }
  int rank(int index) const { return static_cast<int>(graph_.tensor(index).shape.size()); }

  // A name not used before, based on `base`.
  std::string NewName(const std::string& base);
  // Claims `name` exactly (graph inputs and outputs keep their TFLite names); false when taken.
  bool ReserveName(const std::string& name);

  ::onnx::NodeProto& AddNode(const std::string& op_type, const std::vector<std::string>& inputs,
                             const std::vector<std::string>& outputs);
  // A node with one output named after `base`; returns the output's name.
  std::string AddNode1(const std::string& op_type, const std::vector<std::string>& inputs,
                       const std::string& base, ::onnx::NodeProto** node = nullptr);

  std::string AddInitializer(const std::string& base, DType dtype, const std::vector<int64_t>& dims,
                             const std::vector<uint8_t>& bytes);
  std::string Int64Initializer(const std::string& base, const std::vector<int64_t>& values);
  std::string FloatScalar(const std::string& base, float value);
  // An initializer for `data`; integer data with quantization parameters is followed by a
  // DequantizeLinear (per channel along data.quant.quantized_dimension), float16 is widened.
  StatusOr<std::string> Constant(const ConstantData& data, const std::string& base);

  // The constant behind a tensor: itself, or the constant a folded DEQUANTIZE reads; else null.
  const ir::Tensor* ConstantSource(int index) const;
  // Whether op `op_index` is a DEQUANTIZE of a constant, folded into its readers.
  bool IsFolded(size_t op_index) const;

  // The operand of `index` (see the conventions above).
  StatusOr<std::string> Operand(int index);
  // The operand of a broadcasting op whose output has rank `out_rank`: a lower-rank operand is
  // aligned with the trailing NHWC dims and, when the output is NCHW, rearranged to match.
  StatusOr<std::string> BroadcastOperand(int index, size_t out_rank);
  // Records `value` (float for float and quantized tensors, NCHW at rank 4) as tensor `index`;
  // quantized tensors are routed through QuantizeLinear.
  Status Define(int index, const std::string& value);
  // The value as stored: the QuantizeLinear output of a quantized tensor, else its value.
  StatusOr<std::string> Stored(int index) const;
  // The raw integers of quantized tensor `index` (uint8 0..255, int8 -128..127) as a float value
  // (exact: small integers), for ops written in TFLite's own integer arithmetic.
  StatusOr<std::string> RawIntegers(int index);
  // Whether quantized tensor `index` is stored as uint8 per tensor (every int8 or uint8
  // activation but an int8 graph input), and that stored value with its zero point.
  bool StoredAsUint8(int index) const;
  StatusOr<std::string> StoredUint8(int index, int64_t* zero_point) const;
  // Defines quantized tensor `index` from `q`, a float value holding its raw integers: stored
  // through QuantizeLinear like any other, which gives back exactly those integers.
  Status DefineFromIntegers(int index, const std::string& q);

  // Graph inputs: declares `index` as ONNX input `name` (NHWC, TFLite dtype) and makes it
  // available as an operand.
  Status DefineGraphInput(int index, const std::string& name);

  // The operand of `index` with its elements in TFLite's row-major NHWC order (the shape may
  // differ: an NCHW [N,C,1,1] already is in that order), for ops that flatten or reshape.
  StatusOr<std::string> OperandInNhwcOrder(int index);
  // A value whose elements are in NHWC order, reshaped to `shape` in the operand convention.
  std::string FromNhwcOrder(const std::string& value, const Shape& shape);

  std::string Transpose(const std::string& value, const std::vector<int64_t>& perm);
  std::string Reshape(const std::string& value, const std::vector<int64_t>& dims);
  // `value` converted to ONNX data type `onnx_type` (a TensorProto_DataType); the output is
  // named after `base`.
  std::string Cast(const std::string& value, int onnx_type, const std::string& base);
  // Adds Relu / Clip / Tanh after `value` for a TFLite fused activation.
  StatusOr<std::string> ApplyActivation(const std::string& value, ir::Activation activation);

 private:
  struct TensorValue {
    std::string stored;  // QuantizeLinear output (quantized tensors) or the value itself
    std::string real;    // float value; for quantized tensors created on first read
    // How a quantized tensor is stored (see Define: int8 inside the graph becomes uint8).
    DType stored_dtype = DType::kFloat32;
    QuantParams stored_quant;
  };
  std::string DequantizeLinear(const std::string& value, const QuantParams& quant, DType dtype,
                               int64_t axis, const std::string& base);
  std::pair<std::string, std::string> ScaleAndZeroPoint(const QuantParams& quant, DType dtype,
                                                        const std::string& base, bool per_channel);

  const ir::Graph& graph_;
  ::onnx::GraphProto& out_;
  ExportOptions options_;
  std::set<std::string> used_names_;
  std::map<std::string, int> next_suffix_;
  std::vector<TensorValue> values_;
  std::vector<int> constant_source_;  // -1: not a constant
  std::vector<bool> folded_ops_;
  std::vector<bool> is_graph_output_;
  std::map<int, std::string> constant_operands_;
};

}  // namespace edgeforge::onnx_export
