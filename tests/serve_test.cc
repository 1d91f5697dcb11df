// `edgeforge serve`: the classify path it shares with `edgeforge classify`, and the HTTP server
// run in-process on a free port and driven with httplib::Client: golden photos, every error
// status (the server keeps serving after each), /v1/model, concurrent clients, shutdown, and
// the command line started in the background and stopped with SIGTERM.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "edgeforge/image.h"
#include "edgeforge/interpreter.h"
#include "data/labels_file.h"
#include "data/model_input.h"
#include "serve/classify_service.h"
#include "serve/image_dimensions.h"
#include "serve/server.h"
#include "test_util.h"

extern char** environ;

namespace edgeforge {
namespace {

using testing::ReadBytes;
using testing::TempDir;
using testing::TestData;
using testing::WriteBytes;

const std::string kSmallModel = TestData("coral/mobilenet_v1_0.25_128_quant.tflite");
const std::string kLabels = TestData("coral/imagenet_labels.txt");

struct GoldenCase {
  std::string model;  // path
  std::string image;  // path
  std::string input_file;
  int top1 = 0;
};

std::string FindPhoto(const std::string& name) {
  for (const char* ext : {".bmp", ".jpg", ".png"}) {
    std::string path = TestData("coral/" + name + ext);
    if (std::ifstream(path).good()) return path;
  }
  return {};
}

std::vector<GoldenCase> GoldenCases() {
  std::ifstream f(TestData("golden/index.json"));
  nlohmann::json index = nlohmann::json::parse(f);
  std::vector<GoldenCase> cases;
  for (const auto& e : index) {
    GoldenCase c;
    c.model = TestData("golden/" + e["model_file"].get<std::string>());
    c.image = FindPhoto(e["image"].get<std::string>());
    c.input_file = TestData("golden/" + e["input"]["file"].get<std::string>());
    c.top1 = e["top5"][0]["index"].get<int>();
    if (!c.image.empty()) cases.push_back(c);
  }
  return cases;
}

std::string ReadString(const std::string& path) {
  std::vector<uint8_t> bytes = ReadBytes(path);
  return std::string(bytes.begin(), bytes.end());
}

// ---------------------------------------------------------------------------------------------
// The classify path without HTTP.

TEST(ServeImageInput, GoldenInputTensorsAreReproducedAndMatchClassifySteps) {
  auto cases = GoldenCases();
  ASSERT_FALSE(cases.empty());
  for (const GoldenCase& c : cases) {
    SCOPED_TRACE(c.model + " " + c.image);
    auto model = Model::FromFile(c.model);
    ASSERT_TRUE(model.ok()) << model.status().message();
    const TensorInfo in = model.value()->inputs()[0];
    auto input = data::DescribeImageInput(c.model, in.name, in.shape, in.dtype, in.quant,
                                          model.value()->input_mean(), model.value()->input_std());
    ASSERT_TRUE(input.ok()) << input.status().message();
    std::vector<uint8_t> bytes = ReadBytes(c.image);
    auto resized = data::DecodeForModelInput(bytes, c.image, input.value());
    ASSERT_TRUE(resized.ok()) << resized.status().message();
    std::vector<uint8_t> tensor(in.bytes);
    ASSERT_TRUE(data::WriteModelInput(resized.value(), input.value(), tensor).ok());
    EXPECT_EQ(tensor, ReadBytes(c.input_file));

    // The steps `edgeforge classify` takes, spelled out.
    auto loaded = LoadImage(c.image, in.shape[3] == 1 ? ColorMode::kGray : ColorMode::kRgb);
    ASSERT_TRUE(loaded.ok());
    Image classify_resized = ResizeBilinear(loaded.value(), in.shape[2], in.shape[1]);
    std::vector<uint8_t> classify_tensor(in.bytes);
    ASSERT_TRUE(ImageToTensor(classify_resized, in.dtype, in.quant, model.value()->input_mean(),
                              model.value()->input_std(), classify_tensor).ok());
    EXPECT_EQ(tensor, classify_tensor);
  }
}

TEST(ServeImageInput, RejectsModelThatIsNotAnImageClassifier) {
  auto model = Model::FromFile(TestData("coral/invalid/model_invoking_error.tflite"));
  ASSERT_TRUE(model.ok()) << model.status().message();
  auto service = serve::ClassifyService::Create(model.value(), {}, 1, 5);
  ASSERT_FALSE(service.ok());
  EXPECT_NE(service.status().message().find("[1,H,W,3]"), std::string::npos)
      << service.status().message();
}

// A PNG signature and IHDR declaring width x height, and no image data.
std::string PngHeader(uint32_t width, uint32_t height) {
  std::string png = "\x89PNG\r\n\x1A\n";
  png += std::string("\0\0\0\x0DIHDR", 8);
  for (uint32_t v : {width, height}) {
    for (int shift = 24; shift >= 0; shift -= 8) png += static_cast<char>((v >> shift) & 0xFF);
  }
  png += std::string("\x08\x02\0\0\0", 5);
  return png;
}

std::span<const uint8_t> AsBytes(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

TEST(ServeImageDimensions, MatchTheDecoderOnEveryTestPhoto) {
  for (const char* name : {"parrot.jpg", "owl.jpg", "hot_dog.jpg", "cat.bmp", "bird.bmp", "grace_hopper.bmp",
                           "sunflower.bmp", "rgb6X4.bmp", "mnist_nine.bmp"}) {
    SCOPED_TRACE(name);
    std::vector<uint8_t> bytes = ReadBytes(TestData(std::string("coral/") + name));
    auto dims = serve::PeekImageDimensions(bytes);
    ASSERT_TRUE(dims.has_value());
    auto image = DecodeImage(bytes, name);
    ASSERT_TRUE(image.ok()) << image.status().message();
    EXPECT_EQ(dims->width, image.value().width);
    EXPECT_EQ(dims->height, image.value().height);
    // Cut inside the header: unknown, never a read past the end.
    for (size_t cut : {size_t{3}, size_t{20}, size_t{25}}) {
      std::vector<uint8_t> head(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(cut));
      auto partial = serve::PeekImageDimensions(head);
      if (partial) {
        EXPECT_EQ(partial->width, image.value().width);
      }
    }
  }
}

TEST(ServeImageDimensions, ReadsDeclaredSizeWithoutDecodingAndRejectsGarbage) {
  auto dims = serve::PeekImageDimensions(AsBytes(PngHeader(30000, 20000)));
  ASSERT_TRUE(dims.has_value());
  EXPECT_EQ(dims->width, 30000);
  EXPECT_EQ(dims->height, 20000);
  EXPECT_FALSE(serve::PeekImageDimensions(AsBytes("hello world")).has_value());
  EXPECT_FALSE(serve::PeekImageDimensions(AsBytes(std::string("\xFF\xD8\xFF\xE0\x00\x01", 6))).has_value());
  EXPECT_FALSE(serve::PeekImageDimensions({}).has_value());
}

TEST(ServeLabels, ReadsLinesAndDropsCarriageReturns) {
  TempDir tmp;
  std::string text = "zero\r\n\ntwo\n\n";  // an empty label inside is kept, trailing ones not
  WriteBytes(tmp.file("labels.txt"), std::vector<uint8_t>(text.begin(), text.end()));
  auto labels = data::ReadLabelsFile(tmp.file("labels.txt"));
  ASSERT_TRUE(labels.ok());
  EXPECT_EQ(labels.value(), (std::vector<std::string>{"zero", "", "two"}));
  WriteBytes(tmp.file("empty.txt"), std::vector<uint8_t>{'\n'});
  auto empty = data::ReadLabelsFile(tmp.file("empty.txt"));
  ASSERT_FALSE(empty.ok());
  EXPECT_NE(empty.status().message().find("empty.txt"), std::string::npos);
  auto missing = data::ReadLabelsFile(tmp.file("missing.txt"));
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("missing.txt"), std::string::npos);
}

// ---------------------------------------------------------------------------------------------
// The server, in-process.

std::unique_ptr<serve::ClassifyServer> StartServer(serve::ServerOptions options) {
  options.port = 0;
  auto server = serve::ClassifyServer::Create(options);
  EXPECT_TRUE(server.ok()) << server.status().message();
  if (!server.ok()) return nullptr;
  Status started = server.value()->Start();
  EXPECT_TRUE(started.ok()) << started.message();
  if (!started.ok()) return nullptr;
  EXPECT_GT(server.value()->port(), 0);
  return std::move(server).value();
}

serve::ServerOptions SmallModelOptions() {
  serve::ServerOptions o;
  o.model_path = kSmallModel;
  o.labels_path = kLabels;
  o.workers = 2;
  return o;
}

nlohmann::json ParseJson(const httplib::Result& r) {
  if (!r) return nullptr;
  return nlohmann::json::parse(r->body, nullptr, /*allow_exceptions=*/false);
}

// Posts a photo that must classify; returns the top-1 index or -1.
int PostPhoto(httplib::Client& client, const std::string& body, const std::string& type = "image/jpeg") {
  auto r = client.Post("/v1/classify", body, type);
  if (!r || r->status != 200) return -1;
  nlohmann::json j = ParseJson(r);
  if (!j.is_object() || !j.contains("predictions") || j["predictions"].empty()) return -1;
  return j["predictions"][0]["index"].get<int>();
}

TEST(ServeHttp, GoldenPhotosGiveTheGoldenTop1) {
  auto cases = GoldenCases();
  std::string current_model;
  std::unique_ptr<serve::ClassifyServer> server;
  for (const GoldenCase& c : cases) {
    SCOPED_TRACE(c.model + " " + c.image);
    if (c.model != current_model) {
      serve::ServerOptions o;
      o.model_path = c.model;
      o.workers = 1;
      server.reset();
      server = StartServer(o);
      ASSERT_NE(server, nullptr);
      current_model = c.model;
    }
    httplib::Client client("127.0.0.1", server->port());
    const std::string type = c.image.ends_with(".bmp") ? "image/bmp" : "image/jpeg";
    auto r = client.Post("/v1/classify", ReadString(c.image), type);
    ASSERT_TRUE(r) << httplib::to_string(r.error());
    ASSERT_EQ(r->status, 200) << r->body;
    nlohmann::json j = ParseJson(r);
    ASSERT_TRUE(j.is_object()) << r->body;
    ASSERT_EQ(j["predictions"].size(), 5u) << r->body;
    EXPECT_EQ(j["predictions"][0]["index"].get<int>(), c.top1) << r->body;
    EXPECT_GE(j["latency_ms"].get<double>(), 0.0);
    EXPECT_GE(j["predictions"][0]["score"].get<double>(), j["predictions"][1]["score"].get<double>());
  }
}

TEST(ServeHttp, MultipartUploadAndLabels) {
  auto server = StartServer(SmallModelOptions());
  ASSERT_NE(server, nullptr);
  httplib::Client client("127.0.0.1", server->port());
  httplib::MultipartFormDataItems items = {{"file", ReadString(TestData("coral/parrot.jpg")), "parrot.jpg", "image/jpeg"}};
  auto r = client.Post("/v1/classify", items);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  nlohmann::json j = ParseJson(r);
  EXPECT_EQ(j["predictions"][0]["index"].get<int>(), 89);
  EXPECT_EQ(j["predictions"][0]["label"].get<std::string>(), "macaw");

  // A multipart body without a "file" part names what was expected.
  httplib::MultipartFormDataItems wrong = {{"photo", "x", "x.jpg", "image/jpeg"}};
  r = client.Post("/v1/classify", wrong);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  EXPECT_NE(r->body.find("'file'"), std::string::npos) << r->body;
}

struct BadRequestCase {
  std::string what;
  std::function<httplib::Result(httplib::Client&)> send;
  int status;
  std::string needle;  // in the JSON error message
};

TEST(ServeHttp, BadRequestsGet4xxWithJsonAndTheServerKeepsServing) {
  serve::ServerOptions o = SmallModelOptions();
  o.max_body_bytes = 1 << 20;
  auto server = StartServer(o);
  ASSERT_NE(server, nullptr);
  const std::string parrot = ReadString(TestData("coral/parrot.jpg"));
  const std::string truncated = parrot.substr(0, parrot.size() / 2);
  const std::string huge(3 << 20, '\xFF');
  const std::string gif = "GIF89a\x01\x00\x01\x00\x00\x00\x00;";
  const std::vector<BadRequestCase> cases = {
      {"garbage bytes", [](httplib::Client& c) { return c.Post("/v1/classify", "hello world", "image/jpeg"); }, 400,
       "not a JPEG, PNG or BMP"},
      {"truncated JPEG", [&](httplib::Client& c) { return c.Post("/v1/classify", truncated, "image/jpeg"); }, 400,
       "request body"},
      {"GIF", [&](httplib::Client& c) { return c.Post("/v1/classify", gif, "image/gif"); }, 415, "image/jpeg"},
      {"GIF as octet-stream", [&](httplib::Client& c) { return c.Post("/v1/classify", gif, "application/octet-stream"); },
       400, "JPEG"},
      {"PNG declaring 30000x30000", [&](httplib::Client& c) { return c.Post("/v1/classify", PngHeader(30000, 30000), "image/png"); },
       413, "30000x30000"},
      {"PNG declaring 4294967295x4294967295",
       [&](httplib::Client& c) { return c.Post("/v1/classify", PngHeader(0xFFFFFFFF, 0xFFFFFFFF), "image/png"); }, 413,
       "4294967295x4294967295"},
      {"empty body", [](httplib::Client& c) { return c.Post("/v1/classify", "", "image/png"); }, 400, "empty"},
      {"body over the limit", [&](httplib::Client& c) { return c.Post("/v1/classify", huge, "image/jpeg"); }, 413,
       "1048576"},
      {"text/plain", [&](httplib::Client& c) { return c.Post("/v1/classify", parrot, "text/plain"); }, 415,
       "text/plain"},
      {"form-urlencoded over 8 KiB (curl's default)",
       [&](httplib::Client& c) { return c.Post("/v1/classify", parrot, "application/x-www-form-urlencoded"); }, 415,
       "x-www-form-urlencoded"},
      {"unknown path", [](httplib::Client& c) { return c.Get("/v2/classify"); }, 404, "/v2/classify"},
      {"GET on classify", [](httplib::Client& c) { return c.Get("/v1/classify"); }, 405, "POST"},
      {"POST on healthz", [](httplib::Client& c) { return c.Post("/healthz", "x", "text/plain"); }, 405, "GET"},
      {"DELETE on model", [](httplib::Client& c) { return c.Delete("/v1/model"); }, 405, "GET"},
  };
  // One connection for everything (keep-alive): an error must not leave the stream out of step.
  httplib::Client client("127.0.0.1", server->port());
  client.set_keep_alive(true);
  for (const BadRequestCase& c : cases) {
    SCOPED_TRACE(c.what);
    auto r = c.send(client);
    ASSERT_TRUE(r) << httplib::to_string(r.error());
    EXPECT_EQ(r->status, c.status) << r->body;
    EXPECT_EQ(r->get_header_value("Content-Type"), "application/json");
    nlohmann::json j = ParseJson(r);
    ASSERT_TRUE(j.is_object() && j.contains("error")) << r->body;
    EXPECT_EQ(j["status"].get<int>(), c.status);
    EXPECT_NE(j["error"].get<std::string>().find(c.needle), std::string::npos) << r->body;
    if (c.status == 405) {
      EXPECT_FALSE(r->get_header_value("Allow").empty());
    }
    EXPECT_EQ(PostPhoto(client, parrot), 89) << "the next request after " << c.what;
    httplib::Client fresh("127.0.0.1", server->port());
    EXPECT_EQ(PostPhoto(fresh, parrot), 89) << "a new connection after " << c.what;
  }
}

TEST(ServeHttp, MaxImagePixelsIsCheckedBeforeDecoding) {
  serve::ServerOptions o = SmallModelOptions();
  o.max_image_pixels = 512 * 929 - 1;
  auto server = StartServer(o);
  ASSERT_NE(server, nullptr);
  httplib::Client client("127.0.0.1", server->port());
  auto r = client.Post("/v1/classify", ReadString(TestData("coral/parrot.jpg")), "image/jpeg");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413);
  EXPECT_NE(r->body.find("512x929"), std::string::npos) << r->body;
  EXPECT_NE(PostPhoto(client, ReadString(TestData("coral/cat.bmp")), "image/bmp"), -1);
}

TEST(ServeHttp, ModelAndHealth) {
  auto server = StartServer(SmallModelOptions());
  ASSERT_NE(server, nullptr);
  httplib::Client client("127.0.0.1", server->port());
  auto health = client.Get("/healthz");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
  EXPECT_EQ(ParseJson(health)["status"], "ok");

  auto r = client.Get("/v1/model");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200);
  nlohmann::json j = ParseJson(r);
  ASSERT_EQ(j["inputs"].size(), 1u) << r->body;
  const auto& in = j["inputs"][0];
  EXPECT_EQ(in["dtype"], "uint8");
  EXPECT_EQ(in["shape"], nlohmann::json({1, 128, 128, 3}));
  EXPECT_FLOAT_EQ(in["quantization"]["scale"][0].get<float>(), 0.0078125f);
  EXPECT_EQ(in["quantization"]["zero_point"][0].get<int>(), 128);
  ASSERT_EQ(j["outputs"].size(), 1u);
  EXPECT_EQ(j["outputs"][0]["shape"], nlohmann::json({1, 1001}));
  EXPECT_EQ(j["outputs"][0]["dtype"], "uint8");
  ASSERT_EQ(j["labels"].size(), 1001u);
  EXPECT_EQ(j["labels"][89], "macaw");
  EXPECT_EQ(j["top_k"], 5);
  EXPECT_EQ(j["workers"], 2);
  EXPECT_EQ(j["preprocessing"]["width"], 128);
}

TEST(ServeHttp, TopKAndMissingLabels) {
  serve::ServerOptions o;
  o.model_path = kSmallModel;  // no labels file, and the model has no metadata labels
  o.top_k = 2;
  auto server = StartServer(o);
  ASSERT_NE(server, nullptr);
  httplib::Client client("127.0.0.1", server->port());
  auto r = client.Post("/v1/classify", ReadString(TestData("coral/cat.bmp")), "image/bmp");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  nlohmann::json j = ParseJson(r);
  ASSERT_EQ(j["predictions"].size(), 2u);
  EXPECT_EQ(j["predictions"][0]["label"], "");
}

TEST(ServeHttp, EightConcurrentClientsForTwoSecondsWithoutErrors) {
  serve::ServerOptions o = SmallModelOptions();
  o.workers = 2;
  auto server = StartServer(o);
  ASSERT_NE(server, nullptr);
  const std::vector<std::pair<std::string, int>> photos = {
      {ReadString(TestData("coral/parrot.jpg")), 89}, {ReadString(TestData("coral/bird.bmp")), 20}};
  std::atomic<int> ok{0}, errors{0};
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  std::vector<std::thread> clients;
  for (int t = 0; t < 8; ++t) {
    clients.emplace_back([&, t] {
      httplib::Client client("127.0.0.1", server->port());
      client.set_keep_alive(true);
      for (size_t i = static_cast<size_t>(t); std::chrono::steady_clock::now() < until; ++i) {
        const auto& [body, top1] = photos[i % photos.size()];
        const std::string type = i % photos.size() == 0 ? "image/jpeg" : "image/bmp";
        (PostPhoto(client, body, type) == top1 ? ok : errors)++;
      }
    });
  }
  for (auto& c : clients) c.join();
  EXPECT_EQ(errors.load(), 0);
  EXPECT_GE(ok.load(), 8);
  httplib::Client client("127.0.0.1", server->port());
  auto health = client.Get("/healthz");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
}

// A request whose body is still arriving when Stop() is called is finished and answered; only
// then does Stop() return, and new connections are refused.
TEST(ServeHttp, StopFinishesTheRequestInFlightThenRefusesConnections) {
  auto server = StartServer(SmallModelOptions());
  ASSERT_NE(server, nullptr);
  const int port = server->port();
  const std::string parrot = ReadString(TestData("coral/parrot.jpg"));

  int sock = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(sock, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(connect(sock, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
  const std::string head = "POST /v1/classify HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: image/jpeg\r\n"
                           "Connection: close\r\nContent-Length: " + std::to_string(parrot.size()) + "\r\n\r\n";
  const std::string first = head + parrot.substr(0, parrot.size() / 2);
  const std::string rest = parrot.substr(parrot.size() / 2);
  ASSERT_EQ(send(sock, first.data(), first.size(), MSG_NOSIGNAL), static_cast<ssize_t>(first.size()));
  // Long enough for the server to accept the connection and start reading the body.
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  std::atomic<bool> stopped{false};
  std::thread stopper([&] {
    server->Stop();
    stopped = true;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_FALSE(stopped.load()) << "Stop() returned with a request in flight";
  ASSERT_EQ(send(sock, rest.data(), rest.size(), MSG_NOSIGNAL), static_cast<ssize_t>(rest.size()));
  std::string response;
  char buffer[4096];
  for (ssize_t n; (n = recv(sock, buffer, sizeof(buffer), 0)) > 0;) response.append(buffer, static_cast<size_t>(n));
  close(sock);
  stopper.join();
  EXPECT_TRUE(response.starts_with("HTTP/1.1 200")) << response;
  EXPECT_NE(response.find("\"index\":89"), std::string::npos) << response;

  httplib::Client late("127.0.0.1", port);
  EXPECT_FALSE(late.Get("/healthz"));
  server->Stop();  // idempotent
}

TEST(ServeHttp, CreateAndStartErrorsNameTheProblem) {
  serve::ServerOptions o = SmallModelOptions();
  o.model_path = "/nonexistent/model.tflite";
  auto missing = serve::ClassifyServer::Create(o);
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("/nonexistent/model.tflite"), std::string::npos);

  o = SmallModelOptions();
  o.labels_path = "/nonexistent/labels.txt";
  auto no_labels = serve::ClassifyServer::Create(o);
  ASSERT_FALSE(no_labels.ok());
  EXPECT_NE(no_labels.status().message().find("/nonexistent/labels.txt"), std::string::npos);

  o = SmallModelOptions();
  o.workers = 0;
  EXPECT_FALSE(serve::ClassifyServer::Create(o).ok());

  // A port already taken.
  auto first = StartServer(SmallModelOptions());
  ASSERT_NE(first, nullptr);
  o = SmallModelOptions();
  o.port = first->port();
  auto second = serve::ClassifyServer::Create(o);
  ASSERT_TRUE(second.ok());
  Status s = second.value()->Start();
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find(std::to_string(first->port())), std::string::npos) << s.message();
}

// ---------------------------------------------------------------------------------------------
// The command line: started in the background, found by its "listening on" line, stopped with
// SIGTERM.

TEST(ServeCli, PortZeroHealthzThenSigtermExitsZero) {
  int out_pipe[2];
  ASSERT_EQ(pipe(out_pipe), 0);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out_pipe[1], STDOUT_FILENO);
  posix_spawn_file_actions_addclose(&actions, out_pipe[0]);
  posix_spawn_file_actions_addclose(&actions, out_pipe[1]);
  std::vector<std::string> args = {EF_CLI_PATH, "serve", kSmallModel, "--port", "0", "--labels", kLabels,
                                   "--threads", "2"};
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  ASSERT_EQ(posix_spawn(&pid, EF_CLI_PATH, &actions, nullptr, argv.data(), environ), 0);
  posix_spawn_file_actions_destroy(&actions);
  close(out_pipe[1]);

  // The first stdout line; read() returns 0 if the child dies first.
  std::string line;
  char ch = 0;
  while (read(out_pipe[0], &ch, 1) == 1 && ch != '\n') line += ch;
  close(out_pipe[0]);
  const std::string prefix = "listening on http://127.0.0.1:";
  int port = 0;
  if (line.starts_with(prefix)) port = std::atoi(line.c_str() + prefix.size());
  EXPECT_GT(port, 0) << "first stdout line: '" << line << "'";
  if (port > 0) {
    httplib::Client client("127.0.0.1", port);
    auto r = client.Get("/healthz");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(PostPhoto(client, ReadString(TestData("coral/parrot.jpg"))), 89);
  }
  kill(pid, SIGTERM);
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status)) << "killed by signal " << (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

}  // namespace
}  // namespace edgeforge
