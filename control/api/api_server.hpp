// The management API's transport: a Unix stream socket carrying JSON requests and replies, one
// object per line (protocol version 1, docs/API.md). This file owns the socket file, the accepted
// connections and the framing, parsing and dispatch of requests to the command handlers that
// siplbd registers; it knows no command itself.
//
// Threads: create(), add_command() and start() on the owner's thread before the io_context runs.
// Everything else happens on the io_context's thread(s), serialised by one strand: accepting,
// reading, calling handlers, writing replies. A handler's Respond may be called from any thread
// (it posts the reply back onto the strand). stop(), requests() and errors() are safe from any
// thread.
#pragma once

#include <asio.hpp>
#include <nlohmann/json.hpp>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace siplb::control::api {

using Json = nlohmann::json;

inline constexpr int kProtocolVersion = 1;
// A request line longer than this (without its "\n") is refused with bad_request and the
// connection closed: nothing legitimate comes near it, and it bounds a connection's memory.
inline constexpr std::size_t kMaxRequestBytes = 1024 * 1024;
// Connections beyond this many get a `failed` reply ("too many connections") and are closed.
inline constexpr std::size_t kMaxConnections = 64;

// Error codes of replies (docs/API.md lists when each is used).
namespace code {
inline constexpr const char* bad_request = "bad_request";
inline constexpr const char* unsupported_version = "unsupported_version";
inline constexpr const char* unknown_command = "unknown_command";
inline constexpr const char* bad_argument = "bad_argument";
inline constexpr const char* not_found = "not_found";
inline constexpr const char* conflict = "conflict";
inline constexpr const char* failed = "failed";
}  // namespace code

struct Error {
  std::string code;     // one of code::*
  std::string field;    // "args.weight", "version", "command"; empty when no field is at fault
  std::string message;  // for a human: what was wrong and, where useful, what was expected
};

struct Reply {
  bool ok = true;
  Json result;  // when ok
  Error error;  // when not ok

  static Reply success(Json result);
  static Reply failure(std::string code, std::string field, std::string message);

  // The reply line's object: {"version":1,"ok":true,"result":...} or {..."ok":false,"error":{...}}.
  Json to_json() const;
};

// Hands a command's reply back to the server. Call it exactly once, from any thread; calls after
// the first, and calls after the client went away, do nothing. If every copy is destroyed without
// a call, the client gets a `failed` reply saying the command did not answer.
using Respond = std::function<void(Reply)>;
// A command: `args` is always an object (empty when the request had none). Called on the server's
// strand; it may respond before returning or later from another thread.
using Handler = std::function<void(const Json& args, Respond respond)>;

class ApiServer {
 public:
  // Binds `path` as a stream socket with mode 0660 (the parent folder must exist). An existing
  // socket file that a process accepts connections on is refused ("api socket PATH is in use by
  // another siplbd"); one nobody listens on (left by a killed siplbd) is removed and replaced.
  // Any other existing file is refused. nullptr with a one-line `error` naming path and cause.
  static std::unique_ptr<ApiServer> create(asio::io_context& io, std::string path, std::string& error);

  ~ApiServer();  // stop()
  ApiServer(const ApiServer&) = delete;
  ApiServer& operator=(const ApiServer&) = delete;

  // Registers a command (before start()). A second registration of a name replaces the first.
  void add_command(std::string name, Handler handler);
  // Starts accepting connections on the io_context given to create(); the caller runs it.
  void start();
  // Removes the socket file and closes the acceptor and every connection (on the io_context's
  // thread when it runs; pending handlers' Responds become no-ops). Idempotent.
  void stop();

  const std::string& path() const;
  // Request lines handled, and those of them answered with an error (protocol or command).
  uint64_t requests() const;
  uint64_t errors() const;
  // Connections currently open (for tests and metrics).
  std::size_t connections() const;

  struct State;  // shared with in-flight asynchronous operations

 private:
  explicit ApiServer(std::shared_ptr<State> state);
  std::shared_ptr<State> state_;
};

}  // namespace siplb::control::api
