// siplb-udp-send: a small UDP tool for the end-to-end tests and the lab (no DPDK, no siplb code).
//
// Send mode: sends a file (or stdin, "-") as ONE UDP datagram, byte for byte, from a given source
// address to a destination, then prints what comes back within a time limit:
//
//   siplb-udp-send --from 10.77.0.10:5060 --to 10.77.0.1:5060 [--wait MS] [--replies N]
//                  [--also-port PORT]... [--full] FILE|-
//
//   Each reply is printed as "reply <first line>" (or, with --full, "reply" followed by the whole
//   message and a line "."). --also-port listens on more ports of the --from address (a reply
//   goes to the port of the request's top Via, which need not be the source port). --replies N
//   stops after N replies; otherwise it waits the full --wait (default 1000 ms). Exit status 0
//   whether or not anything came back; 1 on an error (bad arguments, cannot bind or send).
//   A datagram larger than the path MTU is fragmented by the kernel (IP_PMTUDISC_DONT).
//
// Listen mode: prints (and saves) every datagram received on an address:
//
//   siplb-udp-send --listen 10.77.0.11:5060 [--dir DIR] [--answer-probes] [--duration MS]
//
//   Prints "<n> <length> <source ip:port> <first line>" per datagram (flushed at once) and, with
//   --dir, saves it whole to DIR/<n>.msg (n from 1). --answer-probes answers siplbd's OPTIONS
//   health probes (top Via branch z9hG4bK-slbp-) with 200 OK so that the balancer marks this
//   listener active; probes are answered, not printed or saved. Runs until SIGINT/SIGTERM or
//   --duration; exits 0.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>

namespace {

volatile std::sig_atomic_t g_stop = 0;
void on_signal(int) { g_stop = 1; }

void usage() {
  std::fprintf(stderr,
               "usage: siplb-udp-send --from IP:PORT --to IP:PORT [--wait MS] [--replies N]\n"
               "                      [--also-port PORT]... [--full] FILE|-\n"
               "       siplb-udp-send --listen IP:PORT [--dir DIR] [--answer-probes] [--duration MS]\n");
}

bool parse_endpoint(const std::string& text, sockaddr_in& out) {
  auto colon = text.rfind(':');
  std::string host = colon == std::string::npos ? text : text.substr(0, colon);
  long port = 0;
  if (colon != std::string::npos) {
    char* end;
    port = std::strtol(text.c_str() + colon + 1, &end, 10);
    if (*end || port < 0 || port > 65535) return false;
  }
  std::memset(&out, 0, sizeof(out));
  out.sin_family = AF_INET;
  out.sin_port = htons(static_cast<uint16_t>(port));
  return inet_pton(AF_INET, host.c_str(), &out.sin_addr) == 1;
}

std::string endpoint_text(const sockaddr_in& a) {
  char buf[INET_ADDRSTRLEN];
  inet_ntop(AF_INET, &a.sin_addr, buf, sizeof(buf));
  return std::string(buf) + ":" + std::to_string(ntohs(a.sin_port));
}

int bound_socket(const sockaddr_in& addr) {
  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  if (fd < 0) return -1;
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  int big = 4 << 20;
  setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &big, sizeof(big));
  int pmtu = IP_PMTUDISC_DONT;  // let the kernel fragment large datagrams
  setsockopt(fd, IPPROTO_IP, IP_MTU_DISCOVER, &pmtu, sizeof(pmtu));
  if (bind(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) != 0) {
    int e = errno;
    close(fd);
    errno = e;
    return -1;
  }
  return fd;
}

std::string_view first_line(std::string_view m) {
  auto end = m.find_first_of("\r\n");
  return end == std::string_view::npos ? m : m.substr(0, end);
}

// Printable version of a line (the torture tests have odd bytes): non-printables as \xNN.
std::string printable(std::string_view s) {
  std::string out;
  for (unsigned char c : s) {
    if (c >= 0x20 && c < 0x7f) {
      out += static_cast<char>(c);
    } else {
      char b[5];
      std::snprintf(b, sizeof(b), "\\x%02x", c);
      out += b;
    }
  }
  return out;
}

long long now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

// The header lines of `m` (up to the blank line), without their CRLF.
std::vector<std::string_view> header_lines(std::string_view m) {
  std::vector<std::string_view> lines;
  std::size_t pos = 0;
  while (pos < m.size()) {
    std::size_t end = m.find("\r\n", pos);
    if (end == std::string_view::npos) end = m.size();
    std::string_view line = m.substr(pos, end - pos);
    if (line.empty()) break;
    lines.push_back(line);
    pos = end + 2;
  }
  return lines;
}

bool header_is(std::string_view line, std::string_view longname, std::string_view compact) {
  auto colon = line.find(':');
  if (colon == std::string_view::npos) return false;
  std::string_view name = line.substr(0, colon);
  while (!name.empty() && (name.back() == ' ' || name.back() == '\t')) name.remove_suffix(1);
  auto eq = [](std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
      if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i])))
        return false;
    return true;
  };
  return eq(name, longname) || (!compact.empty() && eq(name, compact));
}

// 200 OK to an OPTIONS probe: Via, From, To (with a tag), Call-ID, CSeq copied.
std::string probe_answer(std::string_view request) {
  std::string r = "SIP/2.0 200 OK\r\n";
  for (std::string_view line : header_lines(request)) {
    if (header_is(line, "Via", "v") || header_is(line, "From", "f") || header_is(line, "Call-ID", "i") ||
        header_is(line, "CSeq", "")) {
      r.append(line).append("\r\n");
    } else if (header_is(line, "To", "t")) {
      r.append(line);
      if (line.find(";tag=") == std::string_view::npos) r.append(";tag=udp-listener");
      r.append("\r\n");
    }
  }
  r += "Content-Length: 0\r\n\r\n";
  return r;
}

int run_listen(const sockaddr_in& addr, const std::string& dir, bool answer_probes, long duration_ms) {
  int fd = bound_socket(addr);
  if (fd < 0) {
    std::fprintf(stderr, "siplb-udp-send: cannot bind %s: %s\n", endpoint_text(addr).c_str(), std::strerror(errno));
    return 1;
  }
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  std::vector<char> buf(65536);
  long long deadline = duration_ms > 0 ? now_ms() + duration_ms : -1;
  unsigned long n = 0;
  std::fprintf(stdout, "listening on %s\n", endpoint_text(addr).c_str());
  std::fflush(stdout);
  while (!g_stop) {
    int wait = 200;
    if (deadline >= 0) {
      long long left = deadline - now_ms();
      if (left <= 0) break;
      if (left < wait) wait = static_cast<int>(left);
    }
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, wait) <= 0) continue;
    sockaddr_in src{};
    socklen_t slen = sizeof(src);
    ssize_t len = recvfrom(fd, buf.data(), buf.size(), 0, reinterpret_cast<sockaddr*>(&src), &slen);
    if (len < 0) continue;
    std::string_view msg(buf.data(), static_cast<std::size_t>(len));
    if (answer_probes && msg.substr(0, 8) == "OPTIONS " && msg.find(";branch=z9hG4bK-slbp-") != std::string_view::npos) {
      std::string answer = probe_answer(msg);
      sendto(fd, answer.data(), answer.size(), 0, reinterpret_cast<const sockaddr*>(&src), sizeof(src));
      continue;
    }
    ++n;
    std::fprintf(stdout, "%lu %zd %s %s\n", n, len, endpoint_text(src).c_str(), printable(first_line(msg)).c_str());
    std::fflush(stdout);
    if (!dir.empty()) {
      std::string path = dir + "/" + std::to_string(n) + ".msg";
      std::ofstream out(path, std::ios::binary);
      out.write(msg.data(), static_cast<std::streamsize>(msg.size()));
    }
  }
  close(fd);
  return 0;
}

int run_send(const sockaddr_in& from, const sockaddr_in& to, const std::vector<uint16_t>& also_ports,
             const std::string& file, long wait_ms, long max_replies, bool full) {
  std::string data;
  if (file == "-") {
    data.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
  } else {
    std::ifstream in(file, std::ios::binary);
    if (!in) {
      std::fprintf(stderr, "siplb-udp-send: cannot read %s\n", file.c_str());
      return 1;
    }
    data.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  std::vector<pollfd> fds;
  int main_fd = bound_socket(from);
  if (main_fd < 0) {
    std::fprintf(stderr, "siplb-udp-send: cannot bind %s: %s\n", endpoint_text(from).c_str(), std::strerror(errno));
    return 1;
  }
  fds.push_back({main_fd, POLLIN, 0});
  for (uint16_t port : also_ports) {
    sockaddr_in a = from;
    a.sin_port = htons(port);
    int fd = bound_socket(a);
    if (fd < 0) {
      std::fprintf(stderr, "siplb-udp-send: cannot bind %s: %s\n", endpoint_text(a).c_str(), std::strerror(errno));
      return 1;
    }
    fds.push_back({fd, POLLIN, 0});
  }
  if (sendto(main_fd, data.data(), data.size(), 0, reinterpret_cast<const sockaddr*>(&to), sizeof(to)) !=
      static_cast<ssize_t>(data.size())) {
    std::fprintf(stderr, "siplb-udp-send: send to %s failed: %s\n", endpoint_text(to).c_str(), std::strerror(errno));
    return 1;
  }
  std::vector<char> buf(65536);
  long long deadline = now_ms() + wait_ms;
  long replies = 0;
  while (max_replies <= 0 || replies < max_replies) {
    long long left = deadline - now_ms();
    if (left <= 0) break;
    if (poll(fds.data(), fds.size(), static_cast<int>(left)) <= 0) continue;
    for (auto& p : fds) {
      if (!(p.revents & POLLIN)) continue;
      ssize_t len = recv(p.fd, buf.data(), buf.size(), 0);
      if (len < 0) continue;
      std::string_view msg(buf.data(), static_cast<std::size_t>(len));
      ++replies;
      if (full) {
        std::fprintf(stdout, "reply\n%.*s\n.\n", static_cast<int>(msg.size()), msg.data());
      } else {
        std::fprintf(stdout, "reply %s\n", printable(first_line(msg)).c_str());
      }
      std::fflush(stdout);
    }
  }
  for (auto& p : fds) close(p.fd);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  sockaddr_in from{}, to{}, listen_addr{};
  from.sin_family = AF_INET;
  bool have_to = false, listening = false, full = false, answer_probes = false;
  std::vector<uint16_t> also_ports;
  std::string file, dir;
  long wait_ms = 1000, max_replies = 0, duration_ms = 0;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) {
        usage();
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--from") {
      if (!parse_endpoint(value(), from)) return usage(), 2;
    } else if (a == "--to") {
      if (!parse_endpoint(value(), to)) return usage(), 2;
      have_to = true;
    } else if (a == "--listen") {
      if (!parse_endpoint(value(), listen_addr)) return usage(), 2;
      listening = true;
    } else if (a == "--wait") {
      wait_ms = std::atol(value().c_str());
    } else if (a == "--replies") {
      max_replies = std::atol(value().c_str());
    } else if (a == "--duration") {
      duration_ms = std::atol(value().c_str());
    } else if (a == "--also-port") {
      long p = std::atol(value().c_str());
      if (p <= 0 || p > 65535) return usage(), 2;
      also_ports.push_back(static_cast<uint16_t>(p));
    } else if (a == "--dir") {
      dir = value();
    } else if (a == "--full") {
      full = true;
    } else if (a == "--answer-probes") {
      answer_probes = true;
    } else if (a == "--help" || a == "-h") {
      usage();
      return 0;
    } else if (file.empty() && (a == "-" || a[0] != '-')) {
      file = a;
    } else {
      usage();
      return 2;
    }
  }
  if (listening) return run_listen(listen_addr, dir, answer_probes, duration_ms);
  if (!have_to || file.empty()) return usage(), 2;
  return run_send(from, to, also_ports, file, wait_ms, max_replies, full);
}
