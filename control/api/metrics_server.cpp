// The /metrics HTTP endpoint (see metrics_server.hpp for the threads).
#include "metrics_server.hpp"

#include <array>
#include <mutex>
#include <string_view>
#include <unordered_set>
#include <utility>

namespace siplb::control::api {

namespace {

using TcpSocket = asio::ip::tcp::socket;
using Strand = asio::strand<asio::io_context::executor_type>;

constexpr std::string_view kMetricsContentType = "text/plain; version=0.0.4; charset=utf-8";
constexpr std::string_view kTextContentType = "text/plain; charset=utf-8";

// Guards posting onto the strand from a producer's thread after the server is gone.
struct Gate {
  std::mutex mutex;
  bool open = true;
};

struct Response {
  int status = 200;
  std::string reason;
  std::string content_type;
  std::string body;
  std::string extra_headers;  // complete lines, each ending "\r\n"
};

Response plain(int status, std::string reason, std::string body, std::string extra_headers = {}) {
  return Response{status, std::move(reason), std::string(kTextContentType), std::move(body), std::move(extra_headers)};
}

// What the request head asks for, or the error answer it deserves.
struct Parsed {
  bool ok = false;
  bool head_only = false;  // HEAD: headers without the body
  Response error;
};

Parsed parse_request_head(std::string_view head) {
  Parsed parsed;
  std::string_view line = head.substr(0, head.find('\n'));
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  // Request-Line = Method SP Request-Target SP HTTP-Version
  auto first_space = line.find(' ');
  auto second_space = first_space == std::string_view::npos ? first_space : line.find(' ', first_space + 1);
  if (first_space == 0 || second_space == std::string_view::npos || second_space == first_space + 1 ||
      line.find(' ', second_space + 1) != std::string_view::npos) {
    parsed.error = plain(400, "Bad Request", "malformed request line\n");
    return parsed;
  }
  std::string_view method = line.substr(0, first_space);
  std::string_view target = line.substr(first_space + 1, second_space - first_space - 1);
  std::string_view version = line.substr(second_space + 1);
  if (version.substr(0, 7) != "HTTP/1." || version.size() != 8) {
    parsed.error = plain(400, "Bad Request", "expected HTTP/1.0 or HTTP/1.1\n");
    return parsed;
  }
  std::string_view path = target.substr(0, target.find('?'));
  if (path != "/metrics") {
    parsed.error = plain(404, "Not Found", "not found; metrics are at /metrics\n");
    return parsed;
  }
  if (method != "GET" && method != "HEAD") {
    parsed.error = plain(405, "Method Not Allowed", "only GET and HEAD are allowed\n", "Allow: GET, HEAD\r\n");
    return parsed;
  }
  parsed.ok = true;
  parsed.head_only = method == "HEAD";
  return parsed;
}

std::string serialize(const Response& response, bool head_only) {
  std::string out = "HTTP/1.1 " + std::to_string(response.status) + " " + response.reason + "\r\n";
  out += "Content-Type: " + response.content_type + "\r\n";
  out += "Content-Length: " + std::to_string(response.body.size()) + "\r\n";
  out += "Connection: close\r\n";
  out += response.extra_headers;
  out += "\r\n";
  if (!head_only) out += response.body;
  return out;
}

class HttpConnection;

}  // namespace

struct MetricsServer::State : std::enable_shared_from_this<State> {
  State(asio::io_context& io, Produce producer)
      : strand(asio::make_strand(io)), acceptor(strand), retry_timer(strand), produce(std::move(producer)),
        gate(std::make_shared<Gate>()) {}

  void accept_next();
  void close_all();

  Strand strand;
  asio::ip::tcp::acceptor acceptor;
  asio::steady_timer retry_timer;  // after an accept error
  Produce produce;
  std::shared_ptr<Gate> gate;
  std::unordered_set<std::shared_ptr<HttpConnection>> open_connections;  // strand only
  uint16_t port = 0;
  std::atomic<bool> stopped{false};
  std::atomic<uint64_t> scrapes{0};
};

namespace {

// One scrape: read the head, answer, close. Strand only.
class HttpConnection : public std::enable_shared_from_this<HttpConnection> {
 public:
  HttpConnection(std::weak_ptr<MetricsServer::State> server, TcpSocket socket, Strand strand,
                 std::shared_ptr<Gate> gate)
      : server_(std::move(server)), socket_(std::move(socket)), strand_(strand), timer_(strand),
        gate_(std::move(gate)) {}

  void start() {
    timer_.expires_after(kHttpRequestTimeout);
    timer_.async_wait([self = shared_from_this()](const asio::error_code& error) {
      if (!error && !self->answering_) self->close();
    });
    read_more();
  }

  void answer_now(const Response& response) {
    if (closed_ || writing_) return;
    answering_ = true;
    write(serialize(response, false));
  }

  void close() {
    if (closed_) return;
    closed_ = true;
    asio::error_code ignored;
    timer_.cancel();
    socket_.shutdown(TcpSocket::shutdown_both, ignored);
    socket_.close(ignored);
    if (auto server = server_.lock()) server->open_connections.erase(shared_from_this());
  }

  void deliver_metrics(std::string body) {
    if (closed_ || writing_) return;
    if (auto server = server_.lock()) ++server->scrapes;
    Response response{200, "OK", std::string(kMetricsContentType), std::move(body), {}};
    write(serialize(response, head_only_));
  }

 private:
  void read_more() {
    socket_.async_read_some(
        asio::buffer(chunk_),
        asio::bind_executor(strand_, [self = shared_from_this()](const asio::error_code& error, std::size_t size) {
          if (self->closed_ || self->answering_) return;
          if (error) return self->close();  // gone, or closed before finishing its request
          self->head_.append(self->chunk_.data(), size);
          self->on_data();
        }));
  }

  void on_data() {
    // The head ends at the first empty line; bare "\n" line ends are tolerated.
    auto end = head_.find("\r\n\r\n");
    if (end == std::string::npos) end = head_.find("\n\n");
    if (end == std::string::npos) {
      if (head_.size() >= kMaxHttpHeadBytes) {
        return answer_now(plain(431, "Request Header Fields Too Large",
                                "request head longer than " + std::to_string(kMaxHttpHeadBytes) + " bytes\n"));
      }
      return read_more();
    }
    if (end > kMaxHttpHeadBytes) {
      return answer_now(plain(431, "Request Header Fields Too Large",
                              "request head longer than " + std::to_string(kMaxHttpHeadBytes) + " bytes\n"));
    }
    Parsed parsed = parse_request_head(std::string_view(head_).substr(0, end));
    if (!parsed.ok) return answer_now(parsed.error);
    answering_ = true;
    head_only_ = parsed.head_only;
    auto server = server_.lock();
    if (!server) return close();
    produce(*server);
  }

  void produce(MetricsServer::State& server) {
    struct Pending {
      Pending(std::shared_ptr<Gate> gate_, Strand strand_, std::weak_ptr<HttpConnection> connection_)
          : gate(std::move(gate_)), strand(std::move(strand_)), connection(std::move(connection_)) {}
      std::shared_ptr<Gate> gate;
      Strand strand;
      std::weak_ptr<HttpConnection> connection;
      std::atomic<bool> delivered{false};
      void deliver(std::string body) {
        if (delivered.exchange(true)) return;
        std::lock_guard lock(gate->mutex);
        if (!gate->open) return;
        asio::post(strand, [connection = connection, body = std::move(body)]() mutable {
          if (auto alive = connection.lock()) alive->deliver_metrics(std::move(body));
        });
      }
      // A producer that dropped its Deliver uncalled still gets the scraper an answer.
      ~Pending() {
        if (delivered) return;
        std::lock_guard lock(gate->mutex);
        if (!gate->open) return;
        asio::post(strand, [connection = connection] {
          if (auto alive = connection.lock()) {
            alive->answer_now(plain(500, "Internal Server Error", "metrics producer ended without an answer\n"));
          }
        });
      }
    };
    auto pending = std::make_shared<Pending>(gate_, strand_, weak_from_this());
    try {
      server.produce([pending](std::string body) { pending->deliver(std::move(body)); });
    } catch (const std::exception& error) {
      pending->delivered = true;
      answer_now(plain(500, "Internal Server Error", std::string("metrics failed: ") + error.what() + "\n"));
    }
  }

  void write(std::string text) {
    writing_ = true;
    output_ = std::move(text);
    asio::async_write(socket_, asio::buffer(output_),
                      asio::bind_executor(strand_, [self = shared_from_this()](const asio::error_code&, std::size_t) {
                        self->close();
                      }));
  }

  std::weak_ptr<MetricsServer::State> server_;
  TcpSocket socket_;
  Strand strand_;
  asio::steady_timer timer_;
  std::shared_ptr<Gate> gate_;
  std::array<char, 4096> chunk_{};
  std::string head_;
  std::string output_;
  bool head_only_ = false;
  bool answering_ = false;  // the head was read; no more reading
  bool writing_ = false;    // the one response is on its way
  bool closed_ = false;
};

}  // namespace

void MetricsServer::State::accept_next() {
  acceptor.async_accept(asio::bind_executor(strand, [self = shared_from_this()](const asio::error_code& error,
                                                                                TcpSocket socket) {
    if (self->stopped || error == asio::error::operation_aborted) return;
    if (error) {
      // Out of descriptors and the like: wait a little rather than spin on the same failure.
      self->retry_timer.expires_after(std::chrono::milliseconds(100));
      self->retry_timer.async_wait([self](const asio::error_code& wait_error) {
        if (!wait_error && !self->stopped) self->accept_next();
      });
      return;
    }
    {
      auto connection = std::make_shared<HttpConnection>(self, std::move(socket), self->strand, self->gate);
      self->open_connections.insert(connection);
      if (self->open_connections.size() > kMaxMetricsConnections) {
        connection->answer_now(plain(503, "Service Unavailable", "too many connections\n"));
      } else {
        connection->start();
      }
    }
    self->accept_next();
  }));
}

void MetricsServer::State::close_all() {
  asio::error_code ignored;
  acceptor.close(ignored);
  retry_timer.cancel();
  auto connections = open_connections;
  for (const auto& connection : connections) connection->close();
}

std::unique_ptr<MetricsServer> MetricsServer::create(asio::io_context& io, const std::string& address, uint16_t port,
                                                     Produce produce, std::string& error) {
  std::string where = (address.find(':') != std::string::npos ? "[" + address + "]" : address) + ":" +
                      std::to_string(port);
  asio::error_code failure;
  asio::ip::address ip = asio::ip::make_address(address, failure);
  if (failure) {
    error = "cannot listen for metrics on " + where + ": \"" + address + "\" is not an IP address";
    return nullptr;
  }
  auto state = std::make_shared<State>(io, std::move(produce));
  asio::ip::tcp::endpoint endpoint(ip, port);
  state->acceptor.open(endpoint.protocol(), failure);
  // A restarted siplbd must not wait for the old connections' TIME_WAIT to pass.
  if (!failure) state->acceptor.set_option(asio::socket_base::reuse_address(true), failure);
  if (!failure) state->acceptor.bind(endpoint, failure);
  if (!failure) state->acceptor.listen(asio::socket_base::max_listen_connections, failure);
  if (failure) {
    error = "cannot listen for metrics on " + where + ": " + failure.message();
    return nullptr;
  }
  state->port = state->acceptor.local_endpoint(failure).port();
  asio::post(state->strand, [state] { state->accept_next(); });
  return std::unique_ptr<MetricsServer>(new MetricsServer(std::move(state)));
}

MetricsServer::MetricsServer(std::shared_ptr<State> state) : state_(std::move(state)) {}

MetricsServer::~MetricsServer() {
  stop();
  std::lock_guard lock(state_->gate->mutex);
  state_->gate->open = false;
}

void MetricsServer::stop() {
  if (state_->stopped.exchange(true)) return;
  asio::post(state_->strand, [state = state_] { state->close_all(); });
}

uint16_t MetricsServer::port() const { return state_->port; }
uint64_t MetricsServer::scrapes() const { return state_->scrapes; }

}  // namespace siplb::control::api
