// serve_load: a bounded HTTP load test for `edgeforge serve`. C concurrent clients (8 by
// default), each on its own keep-alive connection, POST one photo to /v1/classify for a fixed
// time (at most 30 s), then it prints throughput, latency percentiles, errors and the server's
// resident memory (VmRSS from /proc/PID/status) before, after a warm-up second, and at the end,
// so growth under load is visible. Exit status 1 when any request failed.
//
//   serve_load --edgeforge build/edgeforge --model m.tflite --image cat.bmp   # starts the server
//   serve_load --port 8080 --pid 1234 --image cat.bmp                         # an existing one
//
// Started by the tool, the server gets --port 0 and is stopped with SIGTERM at the end; its
// exit status is reported (a graceful stop is 0).
#include <httplib.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace {

using Clock = std::chrono::steady_clock;

struct LoadArgs {
  std::string edgeforge;  // path of the CLI: start a server
  std::string model;
  int server_threads = 2;
  std::string host = "127.0.0.1";
  int port = 0;       // an existing server
  int pid = 0;        // its process, for RSS (0: not reported)
  std::string image;
  int clients = 8;
  double seconds = 10;
};

// VmRSS in KiB, or -1 when the process or the field is not there.
long ResidentKib(int pid) {
  if (pid <= 0) return -1;
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::atol(line.c_str() + 6);
  }
  return -1;
}

std::string ContentTypeFor(const std::string& bytes) {
  if (bytes.rfind("\x89PNG", 0) == 0) return "image/png";
  if (bytes.rfind("BM", 0) == 0) return "image/bmp";
  return "image/jpeg";
}

// Starts `edgeforge serve MODEL --port 0`, returns its pid and port (read from its
// "listening on http://HOST:PORT" line), or pid 0 on failure.
std::pair<pid_t, int> StartServer(const LoadArgs& a) {
  int out[2];
  if (pipe(out) != 0) return {0, 0};
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
  posix_spawn_file_actions_addclose(&actions, out[0]);
  posix_spawn_file_actions_addclose(&actions, out[1]);
  std::vector<std::string> args = {a.edgeforge, "serve", a.model, "--port", "0", "--host", a.host,
                                   "--threads", std::to_string(a.server_threads)};
  std::vector<char*> argv;
  for (std::string& s : args) argv.push_back(s.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  const int spawned = posix_spawn(&pid, a.edgeforge.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(out[1]);
  if (spawned != 0) {
    close(out[0]);
    return {0, 0};
  }
  std::string line;
  char ch = 0;
  while (read(out[0], &ch, 1) == 1 && ch != '\n') line += ch;
  close(out[0]);
  const size_t colon = line.rfind(':');
  const int port = line.rfind("listening on ", 0) == 0 && colon != std::string::npos ? std::atoi(line.c_str() + colon + 1) : 0;
  if (port <= 0) {
    std::fprintf(stderr, "serve_load: server did not print its port (got '%s')\n", line.c_str());
    kill(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
    return {0, 0};
  }
  return {pid, port};
}

double Percentile(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  const size_t i = std::min(sorted.size() - 1, static_cast<size_t>(p / 100.0 * static_cast<double>(sorted.size())));
  return sorted[i];
}

int RunLoad(LoadArgs a) {
  std::ifstream f(a.image, std::ios::binary);
  if (!f) {
    std::fprintf(stderr, "serve_load: cannot read image %s\n", a.image.c_str());
    return 1;
  }
  const std::string body((std::istreambuf_iterator<char>(f)), {});
  const std::string content_type = ContentTypeFor(body);
  pid_t child = 0;
  if (!a.edgeforge.empty()) {
    auto [pid, port] = StartServer(a);
    if (pid == 0) return 1;
    child = pid;
    a.pid = pid;
    a.port = port;
  }
  const long rss_start = ResidentKib(a.pid);
  std::vector<std::vector<double>> latencies(static_cast<size_t>(a.clients));
  std::atomic<long> errors{0};
  std::atomic<long> first_error_status{0};
  const Clock::time_point start = Clock::now();
  const Clock::time_point end = start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(a.seconds));
  std::vector<std::thread> threads;
  for (int c = 0; c < a.clients; ++c) {
    threads.emplace_back([&, c] {
      httplib::Client client(a.host, a.port);
      client.set_keep_alive(true);
      client.set_read_timeout(30, 0);
      while (Clock::now() < end) {
        const Clock::time_point t0 = Clock::now();
        auto r = client.Post("/v1/classify", body, content_type);
        const double ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
        if (r && r->status == 200) {
          latencies[static_cast<size_t>(c)].push_back(ms);
        } else {
          long expected = 0;
          first_error_status.compare_exchange_strong(expected, r ? r->status : -static_cast<long>(r.error()));
          ++errors;
        }
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::duration<double>(std::min(1.0, a.seconds / 2)));
  const long rss_warm = ResidentKib(a.pid);
  for (auto& t : threads) t.join();
  const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  const long rss_end = ResidentKib(a.pid);

  std::vector<double> all;
  for (const auto& l : latencies) all.insert(all.end(), l.begin(), l.end());
  std::sort(all.begin(), all.end());
  std::printf("serve_load: %d clients, %.1f s, image %s (%zu bytes, %s)\n", a.clients, elapsed, a.image.c_str(),
              body.size(), content_type.c_str());
  std::printf("requests ok %zu, errors %ld", all.size(), errors.load());
  if (errors > 0) std::printf(" (first: %s %ld)", first_error_status < 0 ? "client error" : "HTTP", std::labs(first_error_status));
  std::printf("\nthroughput %.1f req/s\n", static_cast<double>(all.size()) / elapsed);
  std::printf("latency ms: p50 %.2f  p90 %.2f  p99 %.2f  max %.2f\n", Percentile(all, 50), Percentile(all, 90),
              Percentile(all, 99), all.empty() ? 0.0 : all.back());
  if (a.pid > 0) {
    std::printf("server RSS KiB: start %ld, after warm-up %ld, end %ld (growth after warm-up %+ld)\n", rss_start,
                rss_warm, rss_end, rss_end - rss_warm);
  }
  if (child != 0) {
    kill(child, SIGTERM);
    int status = 0;
    waitpid(child, &status, 0);
    if (WIFEXITED(status)) {
      std::printf("server stopped with SIGTERM: exit %d\n", WEXITSTATUS(status));
      if (WEXITSTATUS(status) != 0) return 1;
    } else {
      std::printf("server killed by signal %d\n", WIFSIGNALED(status) ? WTERMSIG(status) : 0);
      return 1;
    }
  }
  return errors > 0 ? 1 : 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"serve_load: bounded HTTP load test for edgeforge serve"};
  LoadArgs a;
  app.add_option("--edgeforge", a.edgeforge, "the edgeforge binary: start `serve MODEL --port 0` and stop it at the end");
  app.add_option("--model", a.model, "model for the started server");
  app.add_option("--server-threads", a.server_threads, "--threads of the started server")->check(CLI::Range(1, 256));
  app.add_option("--host", a.host, "server address");
  app.add_option("--port", a.port, "port of a running server")->check(CLI::Range(0, 65535));
  app.add_option("--pid", a.pid, "pid of a running server, for its RSS");
  app.add_option("--image", a.image, "photo to POST (JPEG, PNG or BMP)")->required();
  app.add_option("--clients", a.clients, "concurrent clients")->check(CLI::Range(1, 256));
  app.add_option("--seconds", a.seconds, "duration, at most 30")->check(CLI::Range(0.1, 30.0));
  CLI11_PARSE(app, argc, argv);
  if (a.edgeforge.empty() == (a.port == 0)) {
    std::fprintf(stderr, "serve_load: give either --edgeforge and --model, or --port of a running server\n");
    return 2;
  }
  if (!a.edgeforge.empty() && a.model.empty()) {
    std::fprintf(stderr, "serve_load: --edgeforge needs --model\n");
    return 2;
  }
  return RunLoad(a);
}
