// siplbctl's side of the management API (docs/API.md): one connection to siplbd's Unix socket,
// requests written as one JSON line each and replies read the same way, every step bounded by the
// timeout. Problems come back as sentences naming the socket path, ready for stderr.
// Single-threaded: used by siplbctl's main thread only.
#pragma once

#include <asio.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <string>

namespace siplbctl {

using Json = nlohmann::json;

// The reply to one request: either the command's result or the error siplbd answered with.
struct ApiReply {
  bool ok = false;
  Json result;
  std::string error_code;
  std::string error_field;
  std::string error_message;
};

class ApiClient {
 public:
  ApiClient(std::string socket_path, std::chrono::milliseconds timeout);

  // False with `problem` set when siplbd cannot be reached.
  bool connect(std::string& problem);
  // Sends {"version":1,"command":...,"args":...} and reads the reply. False with `problem` set on
  // a timeout, a closed connection or a reply that is not protocol version 1; an error answer is
  // a successful call with reply.ok false.
  bool call(const std::string& command, const Json& args, ApiReply& reply, std::string& problem);

 private:
  // Runs the io_context until `done` or the deadline; on the deadline cancels what is pending.
  bool run_until_done(const bool& done);

  std::string socket_path_;
  std::chrono::milliseconds timeout_;
  asio::io_context io_;
  asio::local::stream_protocol::socket socket_;
  std::string input_;  // bytes read beyond the last reply line
};

}  // namespace siplbctl
