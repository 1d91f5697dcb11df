// `edgeforge serve`: an HTTP front end to ClassifyService (cpp-httplib, plain HTTP, no TLS).
//
//   POST /v1/classify  body: JPEG / PNG / BMP bytes (Content-Type image/jpeg, image/png,
//                      image/bmp or application/octet-stream) or multipart/form-data with a
//                      part named "file" (or "image") -> {"predictions": [...], "latency_ms"}
//   GET  /v1/model     inputs, outputs (dtype, shape, quantization), labels, preprocessing
//   GET  /healthz      {"status": "ok"}
//
// Every error is JSON {"error": message, "status": code}: 400 bad image or empty body, 404
// unknown path, 405 wrong method (with Allow), 413 body over max_body_bytes or image over
// max_image_pixels, 415 other
// Content-Type, 500 internal. The server keeps serving after each.
//
//   auto server = ClassifyServer::Create(options);   // loads the model, builds the pool
//   server.value()->Start();                          // binds, serves on a background thread
//   ... server.value()->port() ...
//   server.value()->Stop();                           // graceful: in-flight requests finish
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "edgeforge/status.h"

namespace edgeforge::serve {

struct ServerOptions {
  std::string model_path;
  std::string labels_path;  // empty: labels from the model's metadata
  std::string host = "127.0.0.1";
  int port = 8080;            // 0: the kernel picks a free port; see port()
  int workers = 2;            // interpreters; requests beyond this wait for one
  size_t top_k = 5;
  size_t max_body_bytes = size_t{8} << 20;
  // Images declaring more pixels are refused (413) before decoding: a small JPEG can declare
  // 30000 x 30000.
  int64_t max_image_pixels = 50'000'000;
};

class ClassifyServer {
 public:
  // Loads the model and labels and creates the interpreters; does not bind yet.
  [[nodiscard]] static StatusOr<std::unique_ptr<ClassifyServer>> Create(const ServerOptions& options);
  ~ClassifyServer();  // Stop()s
  ClassifyServer(const ClassifyServer&) = delete;
  ClassifyServer& operator=(const ClassifyServer&) = delete;

  // Binds host:port and serves on a background thread; returns once connections are being
  // accepted. Fails (naming host and port) when the address cannot be bound. Also makes the
  // process ignore SIGPIPE if it did not already handle it: a client hanging up mid-response
  // must not kill the server.
  [[nodiscard]] Status Start();
  // The bound port (the chosen one after port 0); 0 before Start.
  int port() const;
  // Stops accepting, lets requests already accepted finish, then returns. Idempotent; safe to
  // call from any thread except a request handler.
  void Stop();

  struct Impl;

 private:
  explicit ClassifyServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace edgeforge::serve
