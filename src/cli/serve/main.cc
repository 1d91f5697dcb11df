// edgeforge-serve: `edgeforge serve MODEL [--labels FILE] [--port 8080] [--host 127.0.0.1]
// [--threads N] [--top-k 5] [--max-body-bytes B] [--max-image-pixels P]`. Its own executable so
// `edgeforge` does not link cpp-httplib (with OpenSSL and brotli): `edgeforge serve ARGS` runs it
// with ARGS in its place, same process id (cli/siblings.h); run directly, it takes the same ARGS.
// Serves the classifier over HTTP (see serve/server.h for the endpoints) until SIGTERM or
// SIGINT, then stops accepting, finishes the requests in flight and exits 0. Prints
// "listening on http://HOST:PORT" on stdout once connections are accepted (the chosen port
// with --port 0), so scripts can wait for that line.
#include <pthread.h>

#include <csignal>
#include <cstdio>
#include <memory>

#include "cli/siblings.h"
#include "serve/server.h"

namespace edgeforge::cli {

namespace {

int RunServe(const serve::ServerOptions& options) {
  // Block the shutdown signals before any thread exists so every server thread inherits the
  // mask and only the sigwait below receives them: no async-signal-safety to worry about.
  sigset_t shutdown_signals;
  sigemptyset(&shutdown_signals);
  sigaddset(&shutdown_signals, SIGTERM);
  sigaddset(&shutdown_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &shutdown_signals, nullptr);

  auto server = serve::ClassifyServer::Create(options);
  if (!server.ok()) return ReportError(server.status());
  Status started = server.value()->Start();
  if (!started.ok()) return ReportError(started);
  std::fprintf(stderr, "edgeforge serve: %s, %d interpreters, max body %zu bytes\n",
               options.model_path.c_str(), options.workers, options.max_body_bytes);
  std::printf("listening on http://%s:%d\n", options.host.c_str(), server.value()->port());
  std::fflush(stdout);

  int signal_number = 0;
  sigwait(&shutdown_signals, &signal_number);
  std::fprintf(stderr, "edgeforge serve: %s received, finishing requests in flight\n",
               signal_number == SIGINT ? "SIGINT" : "SIGTERM");
  server.value()->Stop();
  std::fprintf(stderr, "edgeforge serve: stopped\n");
  return kExitOk;
}

void AddServe(CLI::App& root, std::vector<Command>& commands) {
  auto* app = root.add_subcommand("serve", kServeDescription);
  auto options = std::make_shared<serve::ServerOptions>();
  app->add_option("model", options->model_path, "a .tflite image classifier")->required();
  app->add_option("--labels", options->labels_path, "labels file, one per line (default: the model's metadata)");
  app->add_option("--port", options->port, "TCP port; 0 picks a free one (printed on stdout)")
      ->check(CLI::Range(0, 65535));
  app->add_option("--host", options->host, "address to listen on (0.0.0.0: every interface)");
  app->add_option("--threads", options->workers, "interpreters, i.e. requests classified at once")
      ->check(CLI::Range(1, 256));
  app->add_option("--top-k", options->top_k, "classes returned per image")->check(CLI::Range(1, 100000));
  app->add_option("--max-body-bytes", options->max_body_bytes, "largest request body accepted (413 beyond)")
      ->check(CLI::Range(size_t{1}, size_t{1} << 32));
  app->add_option("--max-image-pixels", options->max_image_pixels,
                  "largest image accepted, width x height, checked before decoding (413 beyond)")
      ->check(CLI::Range(int64_t{1}, int64_t{1} << 40));
  commands.push_back({app, [options] { return RunServe(*options); }});
}

}  // namespace
}  // namespace edgeforge::cli

int main(int argc, char** argv) {
  return edgeforge::cli::RunSiblingMain(argc, argv, {"serve"}, edgeforge::cli::AddServe);
}
