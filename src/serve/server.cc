#include "serve/server.h"

#include <httplib.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <chrono>
#include <csignal>
#include <exception>
#include <mutex>
#include <nlohmann/json.hpp>
#include <span>
#include <string_view>
#include <thread>

#include "data/labels_file.h"
#include "serve/classify_service.h"
#include "serve/image_dimensions.h"

namespace edgeforge::serve {

namespace {

constexpr char kJson[] = "application/json";
constexpr char kAcceptedTypes[] =
    "image/jpeg, image/png, image/bmp, application/octet-stream, or multipart/form-data "
    "with the image in a part named 'file'";

// Invalid UTF-8 (a label file in Latin-1, bytes of a file name) must not make dump() throw.
std::string Dump(const nlohmann::json& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

void SetJsonError(httplib::Response& res, int status, const std::string& message) {
  res.status = status;
  res.set_content(Dump({{"error", message}, {"status", status}}), kJson);
}

// "Image/JPEG; charset=x" -> "image/jpeg".
std::string MediaType(const std::string& content_type) {
  std::string type = content_type.substr(0, content_type.find(';'));
  const auto not_space = [](unsigned char c) { return !std::isspace(c); };
  type.erase(type.begin(), std::find_if(type.begin(), type.end(), not_space));
  type.erase(std::find_if(type.rbegin(), type.rend(), not_space).base(), type.end());
  std::transform(type.begin(), type.end(), type.begin(), [](unsigned char c) { return std::tolower(c); });
  return type;
}

bool IsAcceptedImageType(const std::string& media_type) {
  // The bytes are recognised by their magic numbers, so any of these may carry any format.
  return media_type == "image/jpeg" || media_type == "image/jpg" || media_type == "image/png" ||
         media_type == "image/bmp" || media_type == "image/x-ms-bmp" ||
         media_type == "application/octet-stream";
}

std::span<const uint8_t> AsBytes(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

}  // namespace

// httplib::Server with access to its listening socket (a protected member), to widen the
// listen backlog: Debian's library is compiled with a backlog of 5, so a burst of more than 5
// simultaneous connects loses SYNs and those clients wait a full 1 s retransmission.
class HttpServer : public httplib::Server {
 public:
  void WidenListenBacklog() { ::listen(svr_sock_, SOMAXCONN); }
};

struct ClassifyServer::Impl {
  ServerOptions options;
  std::unique_ptr<ClassifyService> service;
  HttpServer http;
  std::thread listener;
  std::atomic<bool> listener_done{false};
  std::atomic<int> bound_port{0};
  std::mutex stop_mu;
  bool started = false;  // guarded by stop_mu
  bool stopped = false;  // guarded by stop_mu

  void HandleClassify(const httplib::Request& req, httplib::Response& res);
  void InstallRoutes();
  // Fills in the JSON body of errors httplib produces itself (404, 413, bad requests).
  httplib::Server::HandlerResponse HandleError(const httplib::Request& req, httplib::Response& res);
};

void ClassifyServer::Impl::HandleClassify(const httplib::Request& req, httplib::Response& res) {
  const std::string* bytes = nullptr;
  std::string source = "request body";
  httplib::MultipartFormData part;
  if (req.is_multipart_form_data()) {
    for (const char* name : {"file", "image"}) {
      if (req.has_file(name)) {
        part = req.get_file_value(name);
        break;
      }
    }
    if (part.name.empty()) {
      return SetJsonError(res, 400, "multipart/form-data body has no part named 'file'; expected the image in a part named 'file'");
    }
    bytes = &part.content;
    source = "multipart part '" + part.name + "'" + (part.filename.empty() ? "" : " (" + part.filename + ")");
  } else {
    const std::string content_type = req.get_header_value("Content-Type");
    if (!IsAcceptedImageType(MediaType(content_type))) {
      return SetJsonError(res, 415,
                          (content_type.empty() ? std::string("missing Content-Type")
                                                : "Content-Type '" + content_type + "' is not accepted") +
                              "; expected " + kAcceptedTypes);
    }
    bytes = &req.body;
  }
  if (bytes->empty()) {
    return SetJsonError(res, 400, source + " is empty; expected the bytes of a JPEG, PNG or BMP image");
  }
  if (auto dims = PeekImageDimensions(AsBytes(*bytes))) {
    // width * height > max, without overflow (a PNG may declare 2^32 - 1 each way).
    const bool too_many = dims->width > 0 && dims->height > options.max_image_pixels / dims->width;
    if (too_many) {
      return SetJsonError(res, 413, source + ": image is " + std::to_string(dims->width) + "x" +
                                        std::to_string(dims->height) + " pixels; expected at most " +
                                        std::to_string(options.max_image_pixels) + " pixels (--max-image-pixels)");
    }
  }
  StatusOr<ClassifyResult> result = service->Classify(AsBytes(*bytes), source);
  if (!result.ok()) {
    const StatusCode code = result.status().code();
    const bool bad_image = code == StatusCode::kInvalidArgument || code == StatusCode::kUnimplemented;
    return SetJsonError(res, bad_image ? 400 : 500, result.status().message());
  }
  res.set_content(Dump(ToJson(result.value())), kJson);
}

httplib::Server::HandlerResponse ClassifyServer::Impl::HandleError(const httplib::Request& req,
                                                                   httplib::Response& res) {
  // Our handlers already wrote a JSON error.
  if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
  switch (res.status) {
    case 404:
      SetJsonError(res, 404, "no such path '" + req.path + "'; expected POST /v1/classify, GET /v1/model or GET /healthz");
      break;
    case 413:
      // httplib caps application/x-www-form-urlencoded bodies (curl's default for
      // --data-binary) at 8 KiB and answers 413 before any handler runs; the real problem is
      // the type.
      if (!req.is_multipart_form_data() && !IsAcceptedImageType(MediaType(req.get_header_value("Content-Type")))) {
        SetJsonError(res, 415, "Content-Type '" + req.get_header_value("Content-Type") +
                                   "' is not accepted; expected " + kAcceptedTypes);
        break;
      }
      SetJsonError(res, 413, "request body is larger than the limit of " + std::to_string(options.max_body_bytes) +
                                 " bytes (--max-body-bytes); expected an image up to that size");
      break;
    case 400:
      SetJsonError(res, 400, "malformed HTTP request (request line, headers or multipart body)");
      break;
    default:
      SetJsonError(res, res.status, "HTTP error " + std::to_string(res.status));
      break;
  }
  return httplib::Server::HandlerResponse::Handled;
}

void ClassifyServer::Impl::InstallRoutes() {
  http.Post("/v1/classify", [this](const httplib::Request& req, httplib::Response& res) {
    HandleClassify(req, res);
  });
  http.Get("/v1/model", [this](const httplib::Request&, httplib::Response& res) {
    res.set_content(Dump(service->Describe()), kJson);
  });
  http.Get("/healthz", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(Dump({{"status", "ok"}}), kJson);
  });
  // Known paths with the wrong method answer 405 (not 404) and say what is allowed.
  const auto not_allowed = [](std::string allow) {
    return [allow](const httplib::Request& req, httplib::Response& res) {
      res.set_header("Allow", allow);
      SetJsonError(res, 405, "method " + req.method + " is not allowed on " + req.path + "; expected " + allow);
    };
  };
  http.Get("/v1/classify", not_allowed("POST"));
  http.Put("/v1/classify", not_allowed("POST"));
  http.Patch("/v1/classify", not_allowed("POST"));
  http.Delete("/v1/classify", not_allowed("POST"));
  for (const char* path : {"/v1/model", "/healthz"}) {
    http.Post(path, not_allowed("GET, HEAD"));
    http.Put(path, not_allowed("GET, HEAD"));
    http.Patch(path, not_allowed("GET, HEAD"));
    http.Delete(path, not_allowed("GET, HEAD"));
  }
  http.set_error_handler(httplib::Server::HandlerWithResponse(
      [this](const httplib::Request& req, httplib::Response& res) { return HandleError(req, res); }));
  http.set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr ep) {
    std::string what = "unknown exception";
    try {
      std::rethrow_exception(ep);
    } catch (const std::exception& e) {
      what = e.what();
    } catch (...) {
    }
    SetJsonError(res, 500, "internal error: " + what);
  });
}

StatusOr<std::unique_ptr<ClassifyServer>> ClassifyServer::Create(const ServerOptions& options) {
  if (options.workers < 1) return InvalidArgument("--threads must be at least 1, got " + std::to_string(options.workers));
  if (options.port < 0 || options.port > 65535) {
    return InvalidArgument("--port must be 0..65535, got " + std::to_string(options.port));
  }
  if (options.max_body_bytes == 0) return InvalidArgument("--max-body-bytes must be at least 1");
  if (options.max_image_pixels < 1) return InvalidArgument("--max-image-pixels must be at least 1");
  EF_ASSIGN_OR_RETURN(std::shared_ptr<const Model> model, Model::FromFile(options.model_path));
  std::vector<std::string> labels;
  if (!options.labels_path.empty()) {
    EF_ASSIGN_OR_RETURN(labels, data::ReadLabelsFile(options.labels_path));
  }
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  EF_ASSIGN_OR_RETURN(impl->service, ClassifyService::Create(std::move(model), std::move(labels),
                                                              static_cast<size_t>(options.workers), options.top_k));
  return std::unique_ptr<ClassifyServer>(new ClassifyServer(std::move(impl)));
}

ClassifyServer::ClassifyServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

ClassifyServer::~ClassifyServer() { Stop(); }

int ClassifyServer::port() const { return impl_->bound_port.load(); }

Status ClassifyServer::Start() {
  std::lock_guard lock(impl_->stop_mu);
  if (impl_->started) return FailedPrecondition("server already started");
  const ServerOptions& o = impl_->options;
  const std::string address = o.host + ":" + std::to_string(o.port);

  struct sigaction current {};
  if (sigaction(SIGPIPE, nullptr, &current) == 0 && current.sa_handler == SIG_DFL) std::signal(SIGPIPE, SIG_IGN);

  try {
    impl_->InstallRoutes();
    // Connection threads, separate from the interpreters: a keep-alive connection holds its
    // thread while idle, so there are more of them than workers (and at least 16) so that
    // health checks get through while every worker is busy.
    const size_t connection_threads = static_cast<size_t>(std::max(16, 2 * o.workers));
    impl_->http.new_task_queue = [connection_threads] { return new httplib::ThreadPool(connection_threads); };
    impl_->http.set_payload_max_length(o.max_body_bytes);
    impl_->http.set_keep_alive_max_count(1000);
    // Also how long Stop() may wait for an idle keep-alive connection to close.
    impl_->http.set_keep_alive_timeout(2);
    impl_->http.set_tcp_nodelay(true);
    // httplib's default also sets SO_REUSEPORT, which lets a second server bind the same port
    // and silently take half the connections; a port in use must be an error.
    impl_->http.set_socket_options([](socket_t sock) {
      int yes = 1;
      setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
    });
    int port = o.port;
    if (o.port == 0) {
      port = impl_->http.bind_to_any_port(o.host);
      if (port < 0) return IoError("cannot bind " + address + " (any free port): " + std::strerror(errno));
    } else if (!impl_->http.bind_to_port(o.host, o.port)) {
      return IoError("cannot bind " + address + ": " + std::strerror(errno) + " (port in use, or host not an address of this machine?)");
    }
    // Linux lets listen() on a listening socket change its backlog.
    impl_->http.WidenListenBacklog();
    impl_->bound_port = port;
    impl_->listener = std::thread([impl = impl_.get()] {
      try {
        impl->http.listen_after_bind();
      } catch (...) {
        // Nothing to report to: Stop() still joins; requests then fail to connect.
      }
      impl->listener_done = true;
    });
  } catch (const std::exception& e) {
    return Internal("cannot start HTTP server on " + address + ": " + e.what());
  }
  impl_->started = true;
  // listen_after_bind marks the server running before its accept loop; Stop() before that
  // point would be lost, so Start() returns only once it is.
  while (!impl_->http.is_running() && !impl_->listener_done) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return Status::Ok();
}

void ClassifyServer::Stop() {
  std::lock_guard lock(impl_->stop_mu);
  if (!impl_->started || impl_->stopped) return;
  impl_->stopped = true;
  // Closes the listening socket; listen_after_bind then shuts its thread pool down, which
  // finishes every connection already accepted, and returns.
  impl_->http.stop();
  impl_->listener.join();
}

}  // namespace edgeforge::serve
