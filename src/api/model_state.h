// The private state behind the public Model and Interpreter classes.
#pragma once

#include <memory>
#include <string>

#include "edgeforge/interpreter.h"
#include "ir/graph.h"
#include "runtime/interpreter.h"

namespace edgeforge::internal {

struct ModelState {
  std::string source;
  std::shared_ptr<const ir::Graph> graph;
};

struct InterpreterState {
  std::shared_ptr<const Model> model;
  std::unique_ptr<runtime::Interpreter> runtime;
};

TensorInfo MakeTensorInfo(const ir::Tensor& t);

}  // namespace edgeforge::internal
