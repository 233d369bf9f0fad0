// The Prometheus scrape endpoint: a minimal HTTP/1.1 server (one request per connection,
// "Connection: close") answering GET /metrics with the text a producer supplies. This file owns
// the TCP listener and its connections; what the metrics are is the producer's business
// (prometheus_text.hpp writes the format).
//
// Threads: create() on the owner's thread, before or while the io_context runs; accepting,
// parsing and writing on the io_context's thread(s), serialised by one strand. The producer is
// called on that strand and may deliver the text from any thread. stop(), port() and scrapes()
// are safe from any thread.
#pragma once

#include <asio.hpp>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace siplb::control::api {

// A request head (request line and headers) longer than this gets 431 and the connection closed.
inline constexpr std::size_t kMaxHttpHeadBytes = 8 * 1024;
// Connections open at once beyond this get 503: scrapers come every few seconds, not in crowds.
inline constexpr std::size_t kMaxMetricsConnections = 16;
// A client that has not sent its whole request head by then is disconnected.
inline constexpr std::chrono::seconds kHttpRequestTimeout{10};

class MetricsServer {
 public:
  // Hands the exposition text to the connection that asked; call it once, from any thread.
  using Deliver = std::function<void(std::string body)>;
  // Asked for the text on each scrape; it may deliver before returning or later.
  using Produce = std::function<void(Deliver deliver)>;

  // Listens on address:port (an IPv4 or IPv6 address; port 0 picks a free one) and starts
  // accepting on `io`. nullptr with a one-line `error` naming address:port and the cause.
  static std::unique_ptr<MetricsServer> create(asio::io_context& io, const std::string& address, uint16_t port,
                                               Produce produce, std::string& error);

  ~MetricsServer();  // stop()
  MetricsServer(const MetricsServer&) = delete;
  MetricsServer& operator=(const MetricsServer&) = delete;

  // Closes the listener and open connections (on the io_context's thread). Idempotent.
  void stop();

  uint16_t port() const;      // the bound port
  uint64_t scrapes() const;   // GET /metrics answered with 200

  struct State;

 private:
  explicit MetricsServer(std::shared_ptr<State> state);
  std::shared_ptr<State> state_;
};

}  // namespace siplb::control::api
