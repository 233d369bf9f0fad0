// The management API client (see api_client.hpp).
#include "api_client.hpp"

#include <cerrno>
#include <cstring>

namespace siplbctl {

namespace {

// Replies as big as a long dialogs.list fit; anything beyond is not siplbd talking.
constexpr std::size_t kMaxReplyBytes = 256u * 1024 * 1024;

std::string seconds_text(std::chrono::milliseconds timeout) {
  double seconds = static_cast<double>(timeout.count()) / 1000.0;
  std::string text = std::to_string(seconds);
  text.erase(text.find_last_not_of('0') + 1);
  if (!text.empty() && text.back() == '.') text.pop_back();
  return text;
}

}  // namespace

ApiClient::ApiClient(std::string socket_path, std::chrono::milliseconds timeout)
    : socket_path_(std::move(socket_path)), timeout_(timeout), socket_(io_) {}

bool ApiClient::run_until_done(const bool& done) {
  io_.restart();
  io_.run_for(timeout_);
  if (done) return true;
  // Out of time: cancel and let the handlers see operation_aborted before we return.
  asio::error_code ignored;
  socket_.close(ignored);
  io_.restart();
  io_.run();
  return false;
}

bool ApiClient::connect(std::string& problem) {
  asio::local::stream_protocol::endpoint endpoint;
  try {
    endpoint = asio::local::stream_protocol::endpoint(socket_path_);
  } catch (const std::exception&) {
    problem = "cannot connect to " + socket_path_ + ": path too long for a Unix socket (--socket)";
    return false;
  }
  bool done = false;
  asio::error_code result;
  socket_.async_connect(endpoint, [&](const asio::error_code& error) {
    result = error;
    done = true;
  });
  if (!run_until_done(done)) {
    problem = "cannot connect to " + socket_path_ + ": no answer within " + seconds_text(timeout_) + " s (--timeout)";
    return false;
  }
  if (result) {
    std::string hint = "(is siplbd running? --socket)";
    if (result == asio::error::access_denied || result == asio::error::no_permission) {
      hint = "(the socket is mode 0660: run as root or as a member of its group)";
    }
    problem = "cannot connect to " + socket_path_ + ": " + result.message() + " " + hint;
    return false;
  }
  return true;
}

bool ApiClient::call(const std::string& command, const Json& args, ApiReply& reply, std::string& problem) {
  Json request = {{"version", 1}, {"command", command}, {"args", args.is_null() ? Json::object() : args}};
  std::string line = request.dump(-1, ' ', false, Json::error_handler_t::replace) + "\n";

  bool done = false;
  asio::error_code result;
  asio::async_write(socket_, asio::buffer(line), [&](const asio::error_code& error, std::size_t) {
    result = error;
    if (error) {
      done = true;
      return;
    }
    asio::async_read_until(socket_, asio::dynamic_buffer(input_, kMaxReplyBytes), '\n',
                           [&](const asio::error_code& read_error, std::size_t) {
                             result = read_error;
                             done = true;
                           });
  });
  if (!run_until_done(done)) {
    problem = "no answer from " + socket_path_ + " within " + seconds_text(timeout_) + " s (--timeout)";
    return false;
  }
  if (result == asio::error::eof) {
    problem = "siplbd at " + socket_path_ + " closed the connection without answering";
    return false;
  }
  if (result == asio::error::not_found) {
    problem = "protocol error from " + socket_path_ + ": reply longer than " + std::to_string(kMaxReplyBytes) + " bytes";
    return false;
  }
  if (result) {
    problem = "connection to " + socket_path_ + " failed: " + result.message();
    return false;
  }
  auto newline = input_.find('\n');
  std::string reply_line = input_.substr(0, newline);
  input_.erase(0, newline + 1);

  Json parsed = Json::parse(reply_line, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded() || !parsed.is_object()) {
    problem = "protocol error from " + socket_path_ + ": the reply is not a JSON object";
    return false;
  }
  auto version = parsed.find("version");
  auto ok = parsed.find("ok");
  if (version == parsed.end() || *version != 1 || ok == parsed.end() || !ok->is_boolean()) {
    problem = "protocol error from " + socket_path_ + ": the reply is not protocol version 1";
    return false;
  }
  reply = ApiReply{};
  reply.ok = ok->get<bool>();
  if (reply.ok) {
    reply.result = parsed.value("result", Json());
    return true;
  }
  const Json error = parsed.value("error", Json::object());
  auto text = [&](const char* key) {
    auto found = error.find(key);
    return found != error.end() && found->is_string() ? found->get<std::string>() : std::string();
  };
  reply.error_code = text("code");
  reply.error_field = text("field");
  reply.error_message = text("message");
  if (reply.error_code.empty()) reply.error_code = "failed";
  return true;
}

}  // namespace siplbctl
