// `daq ctl`: a thin client of `daq serve` (daq.v1.Detector over gRPC) for shell scripts and
// tests. Each subcommand is one call; replies are printed as one JSON object (protobuf's JSON
// mapping with the .proto field names; `wait` prints the series summary exactly as
// `daq acquire --summary-json` writes it). Exit status: 0 on success; 2 when the server refused
// the request as bad input (invalid argument, file exists, path outside the data directory,
// wrong state); 1 for anything else (server unreachable, wrong token, timeout, a series that
// failed).
#include <google/protobuf/util/json_util.h>
#include <grpcpp/grpcpp.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>

#include "command.hpp"
#include "config_message.hpp"
#include "daq/service/auth.hpp"
#include "daq/v1/detector.grpc.pb.h"
#include "exit_codes.hpp"

namespace daq::cli {
namespace {

struct CtlOptions {
  std::string server = "127.0.0.1:50051";
  std::string token_file;
  std::string tls_ca;  ///< PEM of the CA that signed the server's certificate: use TLS
  std::vector<std::string> set;
  std::string file;
  std::string file_template;
  std::string file_path;
  std::string file_name;
  std::int64_t file_number = -1;
  bool overwrite = false;
  double timeout_s = 0.0;
};

std::string read_text(const std::string& path, const char* option) {
  std::ifstream in(path);
  if (!in) throw UsageError(std::string(option) + ": cannot read '" + path + "'");
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

class Client {
 public:
  explicit Client(const CtlOptions& o) {
    std::shared_ptr<grpc::ChannelCredentials> credentials = grpc::InsecureChannelCredentials();
    if (!o.tls_ca.empty()) {
      grpc::SslCredentialsOptions ssl;
      ssl.pem_root_certs = read_text(o.tls_ca, "--tls-ca");
      credentials = grpc::SslCredentials(ssl);
    }
    if (!o.token_file.empty()) {
      authorization_ = "Bearer " + service::read_token_file(o.token_file);
    }
    stub_ = v1::Detector::NewStub(grpc::CreateChannel(o.server, credentials));
  }

  /// A context with the token and, when `timeout_s` > 0, a deadline.
  std::unique_ptr<grpc::ClientContext> context(double timeout_s = 30.0) const {
    auto ctx = std::make_unique<grpc::ClientContext>();
    if (!authorization_.empty()) ctx->AddMetadata("authorization", authorization_);
    if (timeout_s > 0) {
      ctx->set_deadline(std::chrono::system_clock::now() +
                        std::chrono::duration_cast<std::chrono::system_clock::duration>(
                            std::chrono::duration<double>(timeout_s)));
    }
    return ctx;
  }

  v1::Detector::Stub& stub() { return *stub_; }

 private:
  std::string authorization_;
  std::unique_ptr<v1::Detector::Stub> stub_;
};

int exit_status(const grpc::Status& status) {
  switch (status.error_code()) {
    case grpc::StatusCode::OK:
      return kExitOk;
    case grpc::StatusCode::INVALID_ARGUMENT:
    case grpc::StatusCode::ALREADY_EXISTS:
    case grpc::StatusCode::PERMISSION_DENIED:
    case grpc::StatusCode::FAILED_PRECONDITION:
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
      return kExitUsage;
    default:
      return kExitFailure;
  }
}

/// Prints `reply` as JSON on success, the server's one-line error otherwise.
int report(const grpc::Status& status, const google::protobuf::Message& reply) {
  if (!status.ok()) {
    std::fprintf(stderr, "daq ctl: error: %s\n", status.error_message().c_str());
    return exit_status(status);
  }
  google::protobuf::util::JsonPrintOptions json;
  json.always_print_primitive_fields = true;
  json.preserve_proto_field_names = true;
  std::string text;
  (void)google::protobuf::util::MessageToJsonString(reply, &text, json);
  std::cout << text << '\n';
  return kExitOk;
}

int run_config(Client& client, const CtlOptions& o) {
  v1::AcquisitionConfig reply;
  if (o.set.empty()) {
    return report(client.stub().GetConfig(client.context().get(), {}, &reply), reply);
  }
  v1::AcquisitionConfig patch;
  for (const std::string& assignment : o.set) set_config_field(patch, assignment);
  return report(client.stub().SetConfig(client.context().get(), patch, &reply), reply);
}

int run_start(Client& client, const CtlOptions& o) {
  v1::StartRequest request;
  request.set_file(o.file);
  request.set_file_template(o.file_template);
  request.set_file_path(o.file_path);
  request.set_file_name(o.file_name);
  if (o.file_number >= 0) request.set_file_number(static_cast<std::uint32_t>(o.file_number));
  request.set_overwrite(o.overwrite);
  v1::StartReply reply;
  return report(client.stub().Start(client.context().get(), request, &reply), reply);
}

int run_wait(Client& client, const CtlOptions& o) {
  v1::WaitIdleRequest request;
  request.set_timeout_s(o.timeout_s);
  v1::WaitIdleReply reply;
  // The server ends the wait at the timeout; the call's own deadline leaves it room to answer.
  const grpc::Status status = client.stub().WaitIdle(
      client.context(o.timeout_s > 0 ? o.timeout_s + 30.0 : 0.0).get(), request, &reply);
  if (!status.ok()) return report(status, reply);
  std::cout << reply.summary().summary_json() << '\n';
  if (!reply.summary().error().empty()) {
    std::fprintf(stderr, "daq ctl: the series failed: %s\n", reply.summary().error().c_str());
    return kExitFailure;
  }
  return kExitOk;
}

}  // namespace

Command add_ctl_command(CLI::App& root) {
  auto o = std::make_shared<CtlOptions>();
  CLI::App* app = root.add_subcommand("ctl", "Control a running `daq serve`");
  app->require_subcommand(1, 1);
  app->add_option("--server", o->server, "HOST:PORT of the server's gRPC endpoint")
      ->capture_default_str();
  app->add_option("--token-file", o->token_file, "File whose first line is the bearer token");
  app->add_option("--tls-ca", o->tls_ca, "Use TLS, trusting the CA certificate in this PEM file");

  app->add_subcommand("info", "The camera and the software");
  app->add_subcommand("status", "The state, the counters and the current file");
  CLI::App* config = app->add_subcommand("config", "Show the configuration, or change fields");
  config->add_option("--set", o->set, "KEY=VALUE, e.g. frames=200, roi=0,0,512,512 (repeatable)");
  CLI::App* start = app->add_subcommand("start", "Start a series");
  start->add_option("--file", o->file, "File, relative to the server's data directory");
  start->add_option("--template", o->file_template,
                    "areaDetector FileTemplate, e.g. %s%s_%6.6d.h5");
  start->add_option("--path", o->file_path, "FilePath for --template (e.g. 'run1/')");
  start->add_option("--name", o->file_name, "FileName for --template");
  start->add_option("--number", o->file_number, "FileNumber for --template (default: the next)")
      ->check(CLI::Range(std::int64_t{0}, std::int64_t{UINT32_MAX}));
  start->add_flag("--overwrite", o->overwrite, "Replace an existing file");
  app->add_subcommand("stop", "End the series; the file is completed");
  app->add_subcommand("abort", "End the series now; queued frames are dropped, the file is valid");
  CLI::App* wait = app->add_subcommand("wait", "Wait until the series and its file are done");
  wait->add_option("--timeout", o->timeout_s, "Seconds (0 = no limit)")
      ->check(CLI::NonNegativeNumber);

  return {app, [o, app] {
            Client client(*o);
            const std::string which = app->get_subcommands().front()->get_name();
            if (which == "info") {
              v1::DetectorInfo reply;
              return report(client.stub().GetInfo(client.context().get(), {}, &reply), reply);
            }
            if (which == "status") {
              v1::Status reply;
              return report(client.stub().GetStatus(client.context().get(), {}, &reply), reply);
            }
            if (which == "config") return run_config(client, *o);
            if (which == "start") return run_start(client, *o);
            if (which == "stop") {
              v1::StopReply reply;
              return report(client.stub().Stop(client.context().get(), {}, &reply), reply);
            }
            if (which == "abort") {
              v1::AbortReply reply;
              return report(client.stub().Abort(client.context().get(), {}, &reply), reply);
            }
            return run_wait(client, *o);
          }};
}

}  // namespace daq::cli
