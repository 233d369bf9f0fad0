// The heartbeat socket: numeric addresses only (no DNS on the HA path), DSCP CS6 so that a
// congested management network drops heartbeats last.
#include "heartbeat_socket.hpp"

#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <netdb.h>
#include <netinet/in.h>
#include <unistd.h>

namespace siplb::control::ha {
namespace {

constexpr int kDscpCs6Tos = 0xC0;  // network control

bool resolve(const std::string& address, uint16_t port, sockaddr_storage& out, socklen_t& length,
             std::string& error) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_DGRAM;
  hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
  addrinfo* result = nullptr;
  const std::string service = std::to_string(port);
  if (const int rc = getaddrinfo(address.c_str(), service.c_str(), &hints, &result); rc != 0) {
    error = "HA address '" + address + "': " + gai_strerror(rc);
    return false;
  }
  std::memcpy(&out, result->ai_addr, result->ai_addrlen);
  length = result->ai_addrlen;
  freeaddrinfo(result);
  return true;
}

std::string describe(const std::string& address, uint16_t port) {
  return (address.find(':') != std::string::npos ? "[" + address + "]" : address) + ":" +
         std::to_string(port);
}

}  // namespace

std::unique_ptr<HeartbeatSocket> HeartbeatSocket::open(const std::string& local_address,
                                                       uint16_t local_port,
                                                       const std::string& peer_address,
                                                       uint16_t peer_port, std::string& error) {
  sockaddr_storage local{};
  socklen_t local_length = 0;
  std::unique_ptr<HeartbeatSocket> s(new HeartbeatSocket());
  if (!resolve(local_address, local_port, local, local_length, error) ||
      !resolve(peer_address, peer_port, s->peer_, s->peer_length_, error)) {
    return nullptr;
  }
  if (local.ss_family != s->peer_.ss_family) {
    error = "HA local address " + local_address + " and peer address " + peer_address +
            " are of different families";
    return nullptr;
  }
  s->fd_ = socket(local.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (s->fd_ < 0) {
    error = std::string("HA socket: ") + std::strerror(errno);
    return nullptr;
  }
  // Best effort: a network that ignores DSCP still carries the heartbeats.
  if (local.ss_family == AF_INET) {
    setsockopt(s->fd_, IPPROTO_IP, IP_TOS, &kDscpCs6Tos, sizeof kDscpCs6Tos);
  } else {
    setsockopt(s->fd_, IPPROTO_IPV6, IPV6_TCLASS, &kDscpCs6Tos, sizeof kDscpCs6Tos);
  }
  if (bind(s->fd_, reinterpret_cast<const sockaddr*>(&local), local_length) != 0) {
    error = "HA socket bind " + describe(local_address, local_port) + ": " + std::strerror(errno);
    return nullptr;
  }
  sockaddr_storage bound{};
  socklen_t bound_length = sizeof bound;
  getsockname(s->fd_, reinterpret_cast<sockaddr*>(&bound), &bound_length);
  s->local_port_ = ntohs(bound.ss_family == AF_INET
                             ? reinterpret_cast<const sockaddr_in&>(bound).sin_port
                             : reinterpret_cast<const sockaddr_in6&>(bound).sin6_port);
  return s;
}

HeartbeatSocket::~HeartbeatSocket() {
  if (fd_ >= 0) close(fd_);
}

int HeartbeatSocket::send(std::span<const uint8_t> datagram) {
  const ssize_t n = sendto(fd_, datagram.data(), datagram.size(), 0,
                           reinterpret_cast<const sockaddr*>(&peer_), peer_length_);
  return n < 0 ? errno : 0;
}

long HeartbeatSocket::receive(std::span<uint8_t> buffer, int& error) {
  const ssize_t n = recv(fd_, buffer.data(), buffer.size(), 0);
  if (n >= 0) {
    error = 0;
    return static_cast<long>(n);
  }
  error = (errno == EAGAIN || errno == EWOULDBLOCK) ? 0 : errno;
  return -1;
}

}  // namespace siplb::control::ha
