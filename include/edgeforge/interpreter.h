// edgeforge's public inference API: load a .tflite, inspect its inputs and outputs, run it.
//
//   auto model = edgeforge::Model::FromFile("mobilenet_v2_1.0_224_quant.tflite");
//   auto interp = edgeforge::Interpreter::Create(*model);
//   std::memcpy(interp.value()->input_bytes(0).data(), pixels, n);
//   interp.value()->Invoke();
//   std::vector<float> scores = interp.value()->OutputAsFloat(0);
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "edgeforge/status.h"
#include "edgeforge/types.h"

namespace edgeforge {

namespace internal {
struct ModelState;
struct InterpreterState;
}  // namespace internal

struct TensorInfo {
  std::string name;
  DType dtype = DType::kFloat32;
  Shape shape;
  QuantParams quant;
  size_t bytes = 0;
};

// A loaded, verified model. Immutable; share one Model between many Interpreters.
class Model {
 public:
  // Maps the file read-only: weights are used in place, never copied.
  static StatusOr<std::shared_ptr<const Model>> FromFile(const std::string& path);
  // Takes ownership of the bytes.
  static StatusOr<std::shared_ptr<const Model>> FromBuffer(std::vector<uint8_t> bytes,
                                                           const std::string& name = "<buffer>");
  ~Model();

  const std::string& source() const;
  // Class labels and preprocessing stored in the model's metadata (empty when absent).
  const std::vector<std::string>& labels() const;
  const std::vector<float>& input_mean() const;
  const std::vector<float>& input_std() const;
  std::vector<TensorInfo> inputs() const;
  std::vector<TensorInfo> outputs() const;

  const internal::ModelState& state() const { return *state_; }

 private:
  explicit Model(std::unique_ptr<internal::ModelState> state);
  std::unique_ptr<internal::ModelState> state_;
};

struct InterpreterOptions {
  int num_threads = 1;
};

class Interpreter {
 public:
  // Prepares every op and plans the arena; fails with a message naming the op that cannot run.
  static StatusOr<std::unique_ptr<Interpreter>> Create(std::shared_ptr<const Model> model,
                                                       InterpreterOptions options = {});
  ~Interpreter();

  size_t num_inputs() const;
  size_t num_outputs() const;
  TensorInfo input_info(size_t i) const;
  TensorInfo output_info(size_t i) const;
  // Raw little-endian bytes of input i, to be filled before Invoke.
  std::span<uint8_t> input_bytes(size_t i);
  // Raw bytes of output i, valid after Invoke until the next one.
  std::span<const uint8_t> output_bytes(size_t i) const;
  // Copies `bytes` into input i; fails when the size is not the input's.
  Status SetInput(size_t i, std::span<const uint8_t> bytes);

  Status Invoke();

  // Output i as float: dequantized for int8/uint8/int16, converted for float16/int32.
  std::vector<float> OutputAsFloat(size_t i) const;
  // Bytes of the single arena holding every intermediate tensor.
  size_t arena_bytes() const;
  const Model& model() const;

 private:
  explicit Interpreter(std::unique_ptr<internal::InterpreterState> state);
  std::unique_ptr<internal::InterpreterState> state_;
};

// Top-k entries of a score vector, highest first; ties keep the lower index first.
struct Classification {
  int index = 0;
  float score = 0;
};
std::vector<Classification> TopK(std::span<const float> scores, size_t k);

}  // namespace edgeforge
