// The kernel UDP socket the heartbeats travel on: bound to this node's configured address and
// port, sending to the peer's. Deliberately not the DPDK port: heartbeats must keep flowing when
// the dataplane is busy or being reconfigured, and they go over the management network.
//
// Owns: the socket (closed on destruction). Non-blocking; the HA thread polls fd(). Used by one
// thread at a time (the HA thread once running).
#pragma once

#include <sys/socket.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>

namespace siplb::control::ha {

class HeartbeatSocket {
 public:
  // Numeric IPv4 or IPv6 addresses of the same family; local_port 0 takes an ephemeral port.
  // Returns nullptr and sets `error` to one line naming the address and the cause.
  static std::unique_ptr<HeartbeatSocket> open(const std::string& local_address, uint16_t local_port,
                                               const std::string& peer_address, uint16_t peer_port,
                                               std::string& error);
  ~HeartbeatSocket();
  HeartbeatSocket(const HeartbeatSocket&) = delete;
  HeartbeatSocket& operator=(const HeartbeatSocket&) = delete;

  int fd() const { return fd_; }
  uint16_t local_port() const { return local_port_; }
  // 0 on success, else the errno of sendto().
  int send(std::span<const uint8_t> datagram);
  // The next queued datagram's length (at most buffer.size()), -1 when none is queued (or on an
  // error, which `error` receives as an errno, 0 meaning simply none queued).
  long receive(std::span<uint8_t> buffer, int& error);

 private:
  HeartbeatSocket() = default;
  int fd_ = -1;
  uint16_t local_port_ = 0;
  sockaddr_storage peer_{};
  socklen_t peer_length_ = 0;
};

}  // namespace siplb::control::ha
