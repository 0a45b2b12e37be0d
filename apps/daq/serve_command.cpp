// `daq serve`: the camera opened once and kept, driven over gRPC (daq.v1.Detector) and watched
// over HTTP (/metrics, /healthz, the browser live view at /) — docs/adr/0014-service.md,
// docs/adr/0016-live-view.md. The camera and acquisition flags
// are those of `daq acquire` and give the initial configuration; files are named per series by
// the client (`daq ctl start`), inside --data-dir. On SIGINT/SIGTERM/SIGHUP a running series is
// stopped, its file completed, then the server shuts down and the command exits 0.
#include <chrono>
#include <cstdio>
#include <optional>
#include <stdexcept>
#include <thread>

#include "acquire_options.hpp"
#include "command.hpp"
#include "daq/pool/alloc_counter.hpp"
#include "daq/service/auth.hpp"
#include "daq/service/instrument_backend.hpp"
#include "daq/service/path_policy.hpp"
#include "daq/service/server.hpp"
#include "daq/service/service_error.hpp"
#include "exit_codes.hpp"
#include "spdlog_sink.hpp"
#include "stop_signal.hpp"

namespace daq::cli {
namespace {

struct ServeOptions {
  AcquireOptions acquisition;  // --out, --summary-json and --overwrite are per series: refused
  service::ServerOptions server;
  std::string data_dir = ".";
  std::string token_file;
};

std::uint64_t thread_allocations() noexcept {
  return alloc_counter::this_thread().allocations;
}

/// The server's own checks are bad input here: one line, exit 2.
template <class F>
auto as_usage_error(F&& f) -> decltype(f()) {
  try {
    return f();
  } catch (const service::ServiceError& e) {
    throw UsageError(e.what());
  }
}

int run_serve(CLI::App& app, ServeOptions& o, const StopSignal& stop_signal) {
  apply_config_and_record_given(app, o.acquisition, [&] { return stop_signal.requested(); });
  for (const char* per_series : {"--out", "--summary-json", "--overwrite"}) {
    if (o.acquisition.camera.was_given(per_series)) {
      throw UsageError(std::string(per_series) +
                       ": not for serve; each series names its file (daq ctl start --file)");
    }
  }
  o.server.data_dir = as_usage_error([&] { return service::canonical_data_dir(o.data_dir); });
  if (!o.token_file.empty()) {
    o.server.token = as_usage_error([&] { return service::read_token_file(o.token_file); });
  }
  as_usage_error([&] { service::check_server_options(o.server); });
  // The camera describing itself is held back until it opened: bad input prints one line.
  HeldLogLines held_logs;
  std::optional<service::InstrumentBackend> backend;
  try {
    backend.emplace(o.acquisition, o.server.data_dir,
                    acquisition::InstrumentOptions{.thread_allocations = &thread_allocations});
  } catch (const std::invalid_argument&) {  // ConfigError is one
    throw;
  } catch (...) {
    held_logs.release();
    throw;
  }
  held_logs.release();
  service::Server server = as_usage_error([&] { return service::Server(*backend, o.server); });
  std::printf("daq serve: gRPC on port %d, HTTP on port %d, files in %s\n", server.grpc_port(),
              server.http_port(), o.server.data_dir.c_str());
  std::fflush(stdout);
  while (!stop_signal.requested()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));  // polls the signal flag
  }
  backend->stop();
  (void)backend->wait_idle(std::chrono::nanoseconds::max());
  server.shutdown();
  std::printf("daq serve: stopped\n");
  return kExitOk;
}

}  // namespace

Command add_serve_command(CLI::App& root) {
  auto o = std::make_shared<ServeOptions>();
  CLI::App* app =
      root.add_subcommand("serve", "Keep a camera open and serve it over gRPC and HTTP");
  add_acquire_options(*app, o->acquisition);
  app->add_option("--grpc", o->server.grpc_address, "HOST:PORT of the gRPC API (port 0: any)")
      ->capture_default_str();
  app->add_option(
         "--http", o->server.http_address,
         "HOST:PORT of the live view page, /metrics and /healthz (port 0: any; empty: none)")
      ->capture_default_str();
  app->add_option("--data-dir", o->data_dir, "Directory every series' file is written in")
      ->capture_default_str();
  app->add_option("--token-file", o->token_file,
                  "File whose first line is the bearer token clients must send (required for a "
                  "non-loopback address)");
  app->add_option("--tls-cert", o->server.tls_cert,
                  "PEM certificate: serve gRPC and HTTP over TLS");
  app->add_option("--tls-key", o->server.tls_key, "PEM private key of --tls-cert");
  app->add_option("--max-image-streams", o->server.max_image_streams,
                  "Concurrent StreamImages calls allowed")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t{1}, std::size_t{64}));
  app->add_option("--preview-fps", o->server.preview_fps,
                  "Live view (the page at / on --http): frames a second per browser, at most")
      ->capture_default_str()
      ->check(CLI::Range(0.1, 60.0));
  app->add_option("--max-preview-viewers", o->server.max_preview_viewers,
                  "Live view streams (browsers) connected at once")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t{1}, std::size_t{64}));
  return {app, [o, app] {
            const StopSignal stop_signal;
            return run_serve(*app, *o, stop_signal);
          }};
}

}  // namespace daq::cli
