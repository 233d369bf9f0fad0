// The management API's Unix-socket server: socket file handling, connections, line framing and
// the protocol checks before a command's handler runs (see api_server.hpp for the threads).
#include "api_server.hpp"
#include "siplb/text/edit_distance.hpp"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <mutex>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

namespace siplb::control::api {

Reply Reply::success(Json result) {
  Reply reply;
  reply.ok = true;
  reply.result = std::move(result);
  return reply;
}

Reply Reply::failure(std::string code, std::string field, std::string message) {
  Reply reply;
  reply.ok = false;
  reply.error = Error{std::move(code), std::move(field), std::move(message)};
  return reply;
}

Json Reply::to_json() const {
  Json out = Json::object();
  out["version"] = kProtocolVersion;
  out["ok"] = ok;
  if (ok) {
    out["result"] = result;
  } else {
    out["error"] = {{"code", error.code}, {"field", error.field}, {"message", error.message}};
  }
  return out;
}

namespace {

using LocalSocket = asio::local::stream_protocol::socket;
using Strand = asio::strand<asio::io_context::executor_type>;

// Deeper requests are refused: no command takes more than two levels, and handlers that dump or
// walk arguments recursively must not meet a megabyte of "[[[[".
constexpr int kMaxRequestDepth = 32;

std::string in_quotes(std::string_view text) { return "\"" + std::string(text) + "\""; }

// The parser's own words ("parse error at line 1, column 7: syntax error ...") without the
// "[json.exception.parse_error.101] " prefix that means nothing to an operator.
std::string parser_message(const std::exception& error) {
  std::string_view text = error.what();
  if (auto end = text.find("] "); !text.empty() && text.front() == '[' && end != std::string_view::npos) {
    text.remove_prefix(end + 2);
  }
  return std::string(text);
}


bool blank(std::string_view line) {
  return std::all_of(line.begin(), line.end(), [](char c) { return c == ' ' || c == '\t' || c == '\r'; });
}

// Guards posting onto the strand from other threads: once the server is destroyed, a late
// Respond must not touch an io_context that may be gone too.
struct Gate {
  std::mutex mutex;
  bool open = true;
};

class Connection;

}  // namespace

struct ApiServer::State : std::enable_shared_from_this<State> {
  State(asio::io_context& io_context, std::string socket_path)
      : io(io_context), strand(asio::make_strand(io_context)), acceptor(strand), retry_timer(strand),
        path(std::move(socket_path)), gate(std::make_shared<Gate>()) {}

  void accept_next();
  void close_all();
  std::string unknown_command_message(const std::string& name) const;

  asio::io_context& io;
  Strand strand;
  asio::local::stream_protocol::acceptor acceptor;
  asio::steady_timer retry_timer;  // after an accept error such as EMFILE
  std::string path;
  std::shared_ptr<Gate> gate;
  std::unordered_map<std::string, Handler> commands;  // fixed once started
  std::unordered_set<std::shared_ptr<Connection>> open_connections;  // strand only
  std::atomic<std::size_t> connection_count{0};
  std::atomic<bool> started{false};
  std::atomic<bool> stopped{false};
  std::atomic<uint64_t> requests{0};
  std::atomic<uint64_t> errors{0};
};

namespace {

// One accepted client. Requests are handled one at a time: the next line is looked at only after
// the previous reply is written, which keeps replies in order and bounds the work per client.
// Lives as long as the server's set or an asynchronous operation holds it; strand only.
class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(std::weak_ptr<ApiServer::State> server, LocalSocket socket, Strand strand,
             std::shared_ptr<Gate> gate)
      : server_(std::move(server)), socket_(std::move(socket)), strand_(std::move(strand)),
        gate_(std::move(gate)) {}

  void start() { process_input(); }

  // Answers with an error before any request and closes (too many connections).
  void refuse(std::string message) {
    busy_ = true;
    write(Reply::failure(code::failed, "", std::move(message)), /*close_after=*/true);
  }

  void close() {
    if (closed_) return;
    closed_ = true;
    asio::error_code ignored;
    socket_.shutdown(LocalSocket::shutdown_both, ignored);
    socket_.close(ignored);
    if (auto server = server_.lock()) {
      if (server->open_connections.erase(shared_from_this()) > 0) --server->connection_count;
    }
  }

  // A command's reply arriving back on the strand.
  void on_reply(uint64_t sequence, Reply reply) {
    if (closed_ || !busy_ || sequence != sequence_) return;
    write(std::move(reply), close_after_reply_);
  }

 private:
  // Handles the next complete line in the buffer, or reads more.
  void process_input() {
    while (!closed_ && !busy_) {
      auto newline = input_.find('\n', scanned_);
      if (newline == std::string::npos) {
        scanned_ = input_.size();
        if (input_.size() > kMaxRequestBytes) {
          busy_ = true;
          write(Reply::failure(code::bad_request, "",
                               "request line longer than " + std::to_string(kMaxRequestBytes) +
                                   " bytes (one JSON object per line, ended by \\n)"),
                /*close_after=*/true);
          return;
        }
        if (peer_finished_) {
          // The client shut down its side: a last line without "\n" still gets its answer.
          if (blank(input_)) return close();
          close_after_reply_ = true;
          std::string line = std::move(input_);
          input_.clear();
          handle(line);
          return;
        }
        return read_more();
      }
      std::string line = input_.substr(0, newline);
      input_.erase(0, newline + 1);
      scanned_ = 0;
      if (line.size() > kMaxRequestBytes) {
        busy_ = true;
        write(Reply::failure(code::bad_request, "",
                             "request line longer than " + std::to_string(kMaxRequestBytes) + " bytes"),
              /*close_after=*/true);
        return;
      }
      if (blank(line)) continue;  // a stray empty line from a person typing at socat
      handle(line);
    }
  }

  void read_more() {
    socket_.async_read_some(
        asio::buffer(chunk_),
        asio::bind_executor(strand_, [self = shared_from_this()](const asio::error_code& error, std::size_t size) {
          if (self->closed_) return;
          if (error == asio::error::eof) {
            self->peer_finished_ = true;
          } else if (error) {
            return self->close();
          }
          self->input_.append(self->chunk_.data(), size);
          self->process_input();
        }));
  }

  // Checks the request's shape and runs its command; every path ends in exactly one reply.
  void handle(std::string_view line) {
    busy_ = true;
    ++sequence_;
    auto server = server_.lock();
    if (!server) return close();
    ++server->requests;

    Json request;
    try {
      request = Json::parse(line, [](int depth, Json::parse_event_t, Json&) {
        if (depth > kMaxRequestDepth) {
          throw std::runtime_error("request nests deeper than " + std::to_string(kMaxRequestDepth) + " levels");
        }
        return true;
      });
    } catch (const std::exception& error) {
      return write(Reply::failure(code::bad_request, "", "request is not valid JSON: " + parser_message(error)),
                   close_after_reply_);
    }
    if (!request.is_object()) {
      return write(Reply::failure(code::bad_request, "",
                                  std::string("request must be a JSON object, got ") + request.type_name()),
                   close_after_reply_);
    }
    auto version = request.find("version");
    if (version == request.end()) {
      return write(Reply::failure(code::bad_request, "version",
                                  "missing \"version\" (this server speaks version " +
                                      std::to_string(kProtocolVersion) + ")"),
                   close_after_reply_);
    }
    if (!version->is_number_integer() || version->get<int64_t>() != kProtocolVersion) {
      return write(Reply::failure(code::unsupported_version, "version",
                                  "version " + version->dump() + " is not supported; this server speaks version " +
                                      std::to_string(kProtocolVersion)),
                   close_after_reply_);
    }
    auto command = request.find("command");
    if (command == request.end() || !command->is_string()) {
      return write(Reply::failure(code::bad_request, "command",
                                  command == request.end() ? "missing \"command\""
                                                           : "\"command\" must be a string, got " + command->dump()),
                   close_after_reply_);
    }
    const std::string& name = command->get_ref<const std::string&>();
    auto handler = server->commands.find(name);
    if (handler == server->commands.end()) {
      return write(Reply::failure(code::unknown_command, "command", server->unknown_command_message(name)),
                   close_after_reply_);
    }
    Json args = Json::object();
    if (auto given = request.find("args"); given != request.end() && !given->is_null()) {
      if (!given->is_object()) {
        return write(Reply::failure(code::bad_request, "args",
                                    std::string("\"args\" must be an object, got ") + given->type_name()),
                     close_after_reply_);
      }
      args = std::move(*given);
    }

    Respond respond = make_respond(name);
    try {
      handler->second(args, respond);
    } catch (const std::exception& error) {
      // Ignored by the once-guard when the handler answered before throwing.
      respond(Reply::failure(code::failed, "", "command " + name + " failed: " + error.what()));
    }
  }

  Respond make_respond(const std::string& command) {
    // Shared by every copy of the Respond: the first call wins, and if the last copy goes away
    // without a call the client still gets an answer instead of waiting forever.
    struct Pending {
      Pending(std::shared_ptr<Gate> gate_, Strand strand_, std::weak_ptr<Connection> connection_,
              uint64_t sequence_, std::string command_)
          : gate(std::move(gate_)), strand(std::move(strand_)), connection(std::move(connection_)),
            sequence(sequence_), command(std::move(command_)) {}
      std::shared_ptr<Gate> gate;
      Strand strand;
      std::weak_ptr<Connection> connection;
      uint64_t sequence;
      std::string command;
      std::atomic<bool> answered{false};

      void deliver(Reply reply) {
        if (answered.exchange(true)) return;
        std::lock_guard lock(gate->mutex);
        if (!gate->open) return;
        asio::post(strand, [connection = connection, sequence = sequence, reply = std::move(reply)]() mutable {
          if (auto alive = connection.lock()) alive->on_reply(sequence, std::move(reply));
        });
      }
      ~Pending() {
        if (!answered) deliver(Reply::failure(code::failed, "", "command " + command + " ended without an answer"));
      }
    };
    auto pending = std::make_shared<Pending>(gate_, strand_, weak_from_this(), sequence_, command);
    return [pending](Reply reply) { pending->deliver(std::move(reply)); };
  }

  void write(Reply reply, bool close_after) {
    if (auto server = server_.lock(); server && !reply.ok) ++server->errors;
    try {
      output_ = reply.to_json().dump(-1, ' ', false, Json::error_handler_t::replace);
    } catch (const std::exception& error) {
      output_ = Reply::failure(code::failed, "", std::string("reply could not be encoded: ") + error.what())
                    .to_json()
                    .dump();
    }
    output_ += '\n';
    asio::async_write(socket_, asio::buffer(output_),
                      asio::bind_executor(strand_, [self = shared_from_this(), close_after](
                                                       const asio::error_code& error, std::size_t) {
                        if (self->closed_) return;
                        // A client gone before its answer is no error of ours: just close.
                        if (error || close_after) return self->close();
                        self->busy_ = false;
                        self->process_input();
                      }));
  }

  std::weak_ptr<ApiServer::State> server_;
  LocalSocket socket_;
  Strand strand_;
  std::shared_ptr<Gate> gate_;
  std::array<char, 16 * 1024> chunk_{};
  std::string input_;      // received, not yet handled
  std::size_t scanned_ = 0;  // input_ before this holds no '\n'
  std::string output_;     // the reply being written
  uint64_t sequence_ = 0;  // of the request being handled; stale Responds are ignored
  bool busy_ = false;      // a request is being handled or its reply written
  bool peer_finished_ = false;
  bool close_after_reply_ = false;
  bool closed_ = false;
};

}  // namespace

void ApiServer::State::accept_next() {
  acceptor.async_accept(asio::bind_executor(strand, [self = shared_from_this()](const asio::error_code& error,
                                                                                LocalSocket socket) {
    if (self->stopped) return;
    if (error) {
      if (error == asio::error::operation_aborted) return;
      // Out of descriptors and the like: try again shortly rather than spin or give up.
      self->retry_timer.expires_after(std::chrono::milliseconds(100));
      self->retry_timer.async_wait([self](const asio::error_code& wait_error) {
        if (!wait_error && !self->stopped) self->accept_next();
      });
      return;
    }
    auto connection = std::make_shared<Connection>(self, std::move(socket), self->strand, self->gate);
    if (self->open_connections.size() >= kMaxConnections) {
      connection->refuse("too many connections (" + std::to_string(kMaxConnections) +
                         " open); try again later");
    } else {
      self->open_connections.insert(connection);
      ++self->connection_count;
      connection->start();
    }
    self->accept_next();
  }));
}

void ApiServer::State::close_all() {
  asio::error_code ignored;
  acceptor.close(ignored);
  retry_timer.cancel();
  auto connections = open_connections;  // close() erases from the set
  for (const auto& connection : connections) connection->close();
}

std::string ApiServer::State::unknown_command_message(const std::string& name) const {
  std::string message = "unknown command " + in_quotes(name);
  const std::string* closest = nullptr;
  std::size_t closest_distance = 0;
  for (const auto& [candidate, handler] : commands) {
    std::size_t distance = text::edit_distance(name, candidate);
    if (!closest || distance < closest_distance || (distance == closest_distance && candidate < *closest)) {
      closest = &candidate;
      closest_distance = distance;
    }
  }
  if (closest && closest_distance <= std::max<std::size_t>(2, name.size() / 4)) {
    return message + "; did you mean " + in_quotes(*closest) + "?";
  }
  // "dest" or "dest.frobnicate": name the commands of that group (a handful, never the world).
  std::string group = name.substr(0, name.find('.'));
  std::vector<std::string> members;
  for (const auto& [candidate, handler] : commands) {
    if (candidate.compare(0, group.size() + 1, group + ".") == 0) members.push_back(candidate);
  }
  if (!members.empty() && members.size() <= 16) {
    std::sort(members.begin(), members.end());
    message += "; " + group + " commands are:";
    for (const auto& member : members) message += " " + member;
    return message;
  }
  return message + " (docs/API.md lists the commands)";
}

namespace {

// Whether some process accepts connections on the socket file at `path`. A non-blocking connect
// tells "refused" (stale file) from "accepted" or "backlog full" (alive) without waiting.
enum class Listener { none, alive, unknown };
Listener probe_listener(const std::string& path, std::string& cause) {
  int probe = ::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (probe < 0) {
    cause = std::strerror(errno);
    return Listener::unknown;
  }
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::memcpy(address.sun_path, path.data(), path.size());
  int result = ::connect(probe, reinterpret_cast<const sockaddr*>(&address), sizeof(address));
  int connect_errno = errno;
  ::close(probe);
  if (result == 0 || connect_errno == EAGAIN || connect_errno == EINPROGRESS) return Listener::alive;
  if (connect_errno == ECONNREFUSED) return Listener::none;
  cause = std::strerror(connect_errno);
  return Listener::unknown;
}

}  // namespace

std::unique_ptr<ApiServer> ApiServer::create(asio::io_context& io, std::string path, std::string& error) {
  if (path.empty()) {
    error = "api socket path is empty";
    return nullptr;
  }
  if (path.size() >= sizeof(sockaddr_un::sun_path)) {
    error = "api socket " + path + ": path longer than " + std::to_string(sizeof(sockaddr_un::sun_path) - 1) +
            " bytes (a limit of Unix sockets)";
    return nullptr;
  }
  struct stat existing {};
  if (::lstat(path.c_str(), &existing) == 0) {
    if (!S_ISSOCK(existing.st_mode)) {
      error = "api socket " + path + " exists and is not a socket (refusing to replace it)";
      return nullptr;
    }
    std::string cause;
    switch (probe_listener(path, cause)) {
      case Listener::alive:
        error = "api socket " + path + " is in use by another siplbd";
        return nullptr;
      case Listener::unknown:
        error = "cannot check existing api socket " + path + ": " + cause;
        return nullptr;
      case Listener::none:
        // Left by a siplbd that did not stop cleanly.
        if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
          error = "cannot remove stale api socket " + path + ": " + std::strerror(errno);
          return nullptr;
        }
        break;
    }
  }

  auto state = std::make_shared<State>(io, path);
  asio::error_code failure;
  state->acceptor.open(asio::local::stream_protocol(), failure);
  if (!failure) state->acceptor.bind(asio::local::stream_protocol::endpoint(path), failure);
  if (failure) {
    error = "cannot bind api socket " + path + ": " + failure.message();
    return nullptr;
  }
  // Before listen(): until then a connect is refused, so nobody reaches a socket with the
  // umask's permissions.
  if (::chmod(path.c_str(), 0660) != 0) {
    error = "cannot set mode 0660 on api socket " + path + ": " + std::strerror(errno);
    ::unlink(path.c_str());
    return nullptr;
  }
  state->acceptor.listen(asio::socket_base::max_listen_connections, failure);
  if (failure) {
    error = "cannot listen on api socket " + path + ": " + failure.message();
    ::unlink(path.c_str());
    return nullptr;
  }
  return std::unique_ptr<ApiServer>(new ApiServer(std::move(state)));
}

ApiServer::ApiServer(std::shared_ptr<State> state) : state_(std::move(state)) {}

ApiServer::~ApiServer() {
  stop();
  std::lock_guard lock(state_->gate->mutex);
  state_->gate->open = false;
}

void ApiServer::add_command(std::string name, Handler handler) {
  if (state_->started) return;  // the table is read without a lock once requests flow
  state_->commands[std::move(name)] = std::move(handler);
}

void ApiServer::start() {
  if (state_->started.exchange(true) || state_->stopped) return;
  asio::post(state_->strand, [state = state_] { state->accept_next(); });
}

void ApiServer::stop() {
  if (state_->stopped.exchange(true)) return;
  ::unlink(state_->path.c_str());
  asio::post(state_->strand, [state = state_] { state->close_all(); });
}

const std::string& ApiServer::path() const { return state_->path; }
uint64_t ApiServer::requests() const { return state_->requests; }
uint64_t ApiServer::errors() const { return state_->errors; }
std::size_t ApiServer::connections() const { return state_->connection_count; }

}  // namespace siplb::control::api
