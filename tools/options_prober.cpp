// siplb-options-prober: measures an outage as a SIP client sees it (HA failover tests, the lab).
// No DPDK, no siplb code.
//
// Probe mode: sends a SIP OPTIONS every --interval-ms from one address to another and reports,
// at the end, how long the longest stretch without answers was:
//
//   siplb-options-prober --from 10.77.0.10:5070 --to 10.77.0.100:5060 [--interval-ms 5]
//                        [--duration-ms MS] [--gaps-over-ms G] [--ready-file F] [--linger-ms 300]
//
//   Each probe has its own Via branch and CSeq (one Call-ID per run); an answer is any final
//   response (200-699) carrying our Call-ID, matched to its probe by CSeq (or, without one, by
//   the top Via branch). Answers arriving late still count for the probe they answer; a repeated
//   answer counts once. Sending follows a monotonic clock: the socket is non-blocking and the
//   tool waits in ppoll (nanosecond timeout) until the next send time or an answer, so a 5 ms
//   cadence holds; if it falls behind it sends at once and keeps the cadence from there (no
//   burst). It stops after --duration-ms (0 or absent: run until SIGINT/SIGTERM), then waits
//   --linger-ms for late answers, and prints, one "key value" per line (times in whole ms,
//   relative to the first send):
//     sent N              probes sent (send_errors N: of these, sendto failed, e.g. no route)
//     answered N          probes answered
//     longest_gap_ms X    longest time between the send times of two consecutive answered
//                         probes, counted from the first answered probe on: if probes sent
//                         between t1 and t2 went unanswered, the gap is t2 - t1 (about the
//                         interval when nothing was lost). 0 with one answer, -1 with none.
//     gap_start_ms X      t1 of that gap (-1 without two answers)
//     tail_gap_ms X       an outage still going on at the end: the send time of the last probe
//                         minus that of the last answered one (0 when the last was answered;
//                         -1 with no answer). Not part of longest_gap_ms: check it too.
//     non_2xx N           answers with a final status other than 2xx (counted as answered)
//     gap START_MS LENGTH_MS   with --gaps-over-ms G: each gap longer than G ms, in order
//   --ready-file F is created (containing "ready") once the first answer has arrived.
//
// Answer mode: a minimal SIP endpoint for tests and the lab, answering every OPTIONS (the
// prober's and siplbd's health probes) with 200 OK and ignoring anything else:
//
//   siplb-options-prober --answer 10.77.0.11:5060 [--duration-ms MS] [--rcvbuf BYTES]
//
//   --rcvbuf sets a (small) socket receive buffer: while the responder is stopped (SIGSTOP) the
//   kernel then drops probes instead of queuing them for late answers, as a dead node would.
//   Prints "answered N" at the end (SIGINT/SIGTERM or --duration-ms).
//
// Exit status 0 normally; 1 on bad arguments or a socket error (cannot bind).
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cinttypes>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace {

volatile std::sig_atomic_t g_stop = 0;
void on_signal(int) { g_stop = 1; }

void usage() {
  std::fprintf(stderr,
               "usage: siplb-options-prober --from IP:PORT --to IP:PORT [--interval-ms MS] [--duration-ms MS]\n"
               "                            [--gaps-over-ms G] [--ready-file F] [--linger-ms MS]\n"
               "       siplb-options-prober --answer IP:PORT [--duration-ms MS] [--rcvbuf BYTES]\n");
}

using Ns = int64_t;
constexpr Ns kMs = 1000000;

Ns now_ns() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<Ns>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}
long long to_ms(Ns ns) { return static_cast<long long>((ns + kMs / 2) / kMs); }

bool parse_endpoint(const std::string& text, sockaddr_in& out) {
  auto colon = text.rfind(':');
  if (colon == std::string::npos) return false;
  std::string host = text.substr(0, colon);
  char* end;
  long port = std::strtol(text.c_str() + colon + 1, &end, 10);
  if (*end || end == text.c_str() + colon + 1 || port <= 0 || port > 65535) return false;
  std::memset(&out, 0, sizeof(out));
  out.sin_family = AF_INET;
  out.sin_port = htons(static_cast<uint16_t>(port));
  return inet_pton(AF_INET, host.c_str(), &out.sin_addr) == 1;
}

bool parse_number(const char* text, long& out) {
  char* end;
  errno = 0;
  long v = std::strtol(text, &end, 10);
  if (errno || *end || end == text || v < 0) return false;
  out = v;
  return true;
}

std::string ip_text(const sockaddr_in& a) {
  char buf[INET_ADDRSTRLEN];
  inet_ntop(AF_INET, &a.sin_addr, buf, sizeof(buf));
  return buf;
}
std::string endpoint_text(const sockaddr_in& a) { return ip_text(a) + ":" + std::to_string(ntohs(a.sin_port)); }

int bound_socket(const sockaddr_in& addr, long rcvbuf) {
  int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  int size = rcvbuf > 0 ? static_cast<int>(rcvbuf) : 4 << 20;
  setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
  if (bind(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) != 0) {
    int e = errno;
    close(fd);
    errno = e;
    return -1;
  }
  return fd;
}

// --- a little SIP -----------------------------------------------------------------------------

// The header lines of `m` (up to the blank line), without their line ends.
std::vector<std::string_view> header_lines(std::string_view m) {
  std::vector<std::string_view> lines;
  std::size_t pos = 0;
  while (pos < m.size()) {
    std::size_t end = m.find('\n', pos);
    if (end == std::string_view::npos) end = m.size();
    std::string_view line = m.substr(pos, end - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) break;
    lines.push_back(line);
    pos = end + 1;
  }
  return lines;
}

bool iequal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  return true;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// The value of a header line named `longname` or `compact`; false when the line is another one.
bool header_value(std::string_view line, std::string_view longname, std::string_view compact, std::string_view& value) {
  auto colon = line.find(':');
  if (colon == std::string_view::npos) return false;
  std::string_view name = trim(line.substr(0, colon));
  if (!iequal(name, longname) && (compact.empty() || !iequal(name, compact))) return false;
  value = trim(line.substr(colon + 1));
  return true;
}

bool is_header(std::string_view line, std::string_view longname, std::string_view compact) {
  std::string_view v;
  return header_value(line, longname, compact, v);
}

// 200 OK to a request: Via, From, To (with a tag), Call-ID, CSeq copied.
std::string ok_answer(std::string_view request) {
  std::string r = "SIP/2.0 200 OK\r\n";
  for (std::string_view line : header_lines(request)) {
    if (is_header(line, "Via", "v") || is_header(line, "From", "f") || is_header(line, "Call-ID", "i") ||
        is_header(line, "CSeq", "")) {
      r.append(line).append("\r\n");
    } else if (is_header(line, "To", "t")) {
      r.append(line);
      if (line.find(";tag=") == std::string_view::npos) r.append(";tag=options-prober");
      r.append("\r\n");
    }
  }
  r += "Content-Length: 0\r\n\r\n";
  return r;
}

// --- answer mode ------------------------------------------------------------------------------

int run_answer(const sockaddr_in& addr, long duration_ms, long rcvbuf) {
  int fd = bound_socket(addr, rcvbuf);
  if (fd < 0) {
    std::fprintf(stderr, "siplb-options-prober: cannot bind %s: %s\n", endpoint_text(addr).c_str(),
                 std::strerror(errno));
    return 1;
  }
  Ns deadline = duration_ms > 0 ? now_ns() + duration_ms * kMs : -1;
  std::vector<char> buf(65536);
  unsigned long answered = 0;
  std::fprintf(stdout, "answering on %s\n", endpoint_text(addr).c_str());
  std::fflush(stdout);
  while (!g_stop) {
    Ns wait = 200 * kMs;
    if (deadline >= 0) {
      Ns left = deadline - now_ns();
      if (left <= 0) break;
      if (left < wait) wait = left;
    }
    pollfd p{fd, POLLIN, 0};
    timespec ts{static_cast<time_t>(wait / 1000000000), static_cast<long>(wait % 1000000000)};
    if (ppoll(&p, 1, &ts, nullptr) <= 0) continue;
    for (;;) {
      sockaddr_in src{};
      socklen_t slen = sizeof(src);
      ssize_t len = recvfrom(fd, buf.data(), buf.size(), 0, reinterpret_cast<sockaddr*>(&src), &slen);
      if (len < 0) break;
      std::string_view msg(buf.data(), static_cast<std::size_t>(len));
      if (msg.substr(0, 8) != "OPTIONS ") continue;
      std::string answer = ok_answer(msg);
      sendto(fd, answer.data(), answer.size(), 0, reinterpret_cast<const sockaddr*>(&src), sizeof(src));
      ++answered;
    }
  }
  close(fd);
  std::fprintf(stdout, "answered %lu\n", answered);
  return 0;
}

// --- probe mode -------------------------------------------------------------------------------

struct Probe {
  Ns sent = 0;       // relative to the start
  bool answered = false;
};

struct Prober {
  std::string call_id;
  std::string branch_prefix;  // + probe number
  std::vector<Probe> probes;  // probe i has CSeq i + 1
  unsigned long non_2xx = 0;
  Ns start = 0;
  Ns first_answer_at = -1;
};

// Matches a response to its probe; returns the probe's index or -1.
long match_answer(const Prober& p, std::string_view msg, int& status) {
  if (msg.size() < 12 || msg.substr(0, 8) != "SIP/2.0 ") return -1;
  status = 0;
  for (std::size_t i = 8; i < 11; ++i) {
    if (!std::isdigit(static_cast<unsigned char>(msg[i]))) return -1;
    status = status * 10 + (msg[i] - '0');
  }
  if (status < 200 || status > 699) return -1;  // provisional: not an answer
  bool our_call = false, have_via = false;
  long by_cseq = -1, by_branch = -1;
  for (std::string_view line : header_lines(msg)) {
    std::string_view v;
    if (header_value(line, "Call-ID", "i", v)) {
      our_call = v == p.call_id;
    } else if (header_value(line, "CSeq", "", v)) {
      char* end;
      std::string text(v);
      long n = std::strtol(text.c_str(), &end, 10);
      if (end != text.c_str() && iequal(trim(std::string_view(end)), "OPTIONS")) by_cseq = n - 1;
    } else if (!have_via && header_value(line, "Via", "v", v)) {
      have_via = true;  // the top Via only
      auto b = v.find(";branch=" + p.branch_prefix);
      if (b != std::string_view::npos) {
        std::string digits(v.substr(b + 8 + p.branch_prefix.size()));
        char* end;
        long n = std::strtol(digits.c_str(), &end, 10);
        if (end != digits.c_str()) by_branch = n;
      }
    }
  }
  if (!our_call) return -1;
  long index = by_cseq >= 0 ? by_cseq : by_branch;
  if (index < 0 || static_cast<std::size_t>(index) >= p.probes.size()) return -1;
  return index;
}

void receive_all(int fd, Prober& p, std::vector<char>& buf, const std::string& ready_file) {
  for (;;) {
    ssize_t len = recv(fd, buf.data(), buf.size(), 0);
    if (len < 0) return;  // EAGAIN (or an ICMP error reported on the socket): nothing more now
    int status = 0;
    long i = match_answer(p, std::string_view(buf.data(), static_cast<std::size_t>(len)), status);
    if (i < 0 || p.probes[static_cast<std::size_t>(i)].answered) continue;
    p.probes[static_cast<std::size_t>(i)].answered = true;
    if (status >= 300) ++p.non_2xx;
    if (p.first_answer_at < 0) {
      p.first_answer_at = now_ns() - p.start;
      if (!ready_file.empty()) {
        if (FILE* f = std::fopen(ready_file.c_str(), "w")) {
          std::fputs("ready\n", f);
          std::fclose(f);
        } else {
          std::fprintf(stderr, "siplb-options-prober: cannot write %s: %s\n", ready_file.c_str(), std::strerror(errno));
        }
      }
    }
  }
}

std::string probe_text(const Prober& p, const sockaddr_in& from, const sockaddr_in& to, std::size_t i) {
  std::string uri = "sip:" + endpoint_text(to);
  std::string seq = std::to_string(i + 1);
  std::string m;
  m.reserve(512);
  m += "OPTIONS " + uri + " SIP/2.0\r\n";
  m += "Via: SIP/2.0/UDP " + endpoint_text(from) + ";branch=" + p.branch_prefix + std::to_string(i) + ";rport\r\n";
  m += "Max-Forwards: 70\r\n";
  m += "From: <sip:prober@" + endpoint_text(from) + ">;tag=" + p.call_id.substr(0, p.call_id.find('@')) + "\r\n";
  m += "To: <" + uri + ">\r\n";
  m += "Call-ID: " + p.call_id + "\r\n";
  m += "CSeq: " + seq + " OPTIONS\r\n";
  m += "Accept: application/sdp\r\n";
  m += "User-Agent: siplb-options-prober\r\n";
  m += "Content-Length: 0\r\n\r\n";
  return m;
}

void wait_until(int fd, Ns until_abs) {
  Ns left = until_abs - now_ns();
  if (left <= 0) return;
  pollfd pfd{fd, POLLIN, 0};
  timespec ts{static_cast<time_t>(left / 1000000000), static_cast<long>(left % 1000000000)};
  ppoll(&pfd, 1, &ts, nullptr);  // EINTR (SIGINT/SIGTERM) just returns
}

int run_probe(const sockaddr_in& from, const sockaddr_in& to, long interval_ms, long duration_ms, long gaps_over_ms,
              const std::string& ready_file, long linger_ms) {
  int fd = bound_socket(from, 0);
  if (fd < 0) {
    std::fprintf(stderr, "siplb-options-prober: cannot bind %s: %s\n", endpoint_text(from).c_str(),
                 std::strerror(errno));
    return 1;
  }
  Prober p;
  timespec rt{};
  clock_gettime(CLOCK_REALTIME, &rt);
  char tag[64];
  std::snprintf(tag, sizeof(tag), "op%ld-%lx", static_cast<long>(getpid()),
                static_cast<unsigned long>(rt.tv_sec * 1000003L + rt.tv_nsec));
  p.call_id = std::string(tag) + "@" + ip_text(from);
  p.branch_prefix = std::string("z9hG4bK-") + tag + "-";
  if (!ready_file.empty()) unlink(ready_file.c_str());

  std::vector<char> buf(65536);
  unsigned long send_errors = 0;
  const Ns interval = interval_ms * kMs;
  p.start = now_ns();
  const Ns end = duration_ms > 0 ? p.start + duration_ms * kMs : -1;
  Ns next = p.start;
  while (!g_stop) {
    Ns now = now_ns();
    if (end >= 0 && now >= end) break;
    if (now >= next) {
      std::size_t i = p.probes.size();
      p.probes.push_back(Probe{now - p.start, false});
      std::string m = probe_text(p, from, to, i);
      if (sendto(fd, m.data(), m.size(), 0, reinterpret_cast<const sockaddr*>(&to), sizeof(to)) < 0) ++send_errors;
      next += interval;
      if (next <= now) next = now + interval;  // fell behind (a stall): no burst, keep the cadence from here
    }
    receive_all(fd, p, buf, ready_file);
    Ns wake = next;
    if (end >= 0 && end < wake) wake = end;
    wait_until(fd, wake);
  }
  // Late answers still count.
  Ns linger_end = now_ns() + linger_ms * kMs;
  while (now_ns() < linger_end) {
    receive_all(fd, p, buf, ready_file);
    wait_until(fd, linger_end);
  }
  receive_all(fd, p, buf, ready_file);
  close(fd);

  unsigned long answered = 0;
  Ns longest = -1, longest_start = -1, prev = -1, last_sent = -1;
  std::vector<std::pair<Ns, Ns>> gaps;
  for (const Probe& pr : p.probes) {
    last_sent = pr.sent;
    if (!pr.answered) continue;
    ++answered;
    if (prev < 0) {
      longest = 0;
    } else {
      Ns gap = pr.sent - prev;
      if (gap > longest || longest_start < 0) {
        longest = gap;
        longest_start = prev;
      }
      if (gaps_over_ms >= 0 && gap > gaps_over_ms * kMs) gaps.emplace_back(prev, gap);
    }
    prev = pr.sent;
  }
  Ns tail = prev < 0 ? -1 : last_sent - prev;
  std::printf("sent %zu\n", p.probes.size());
  std::printf("send_errors %lu\n", send_errors);
  std::printf("answered %lu\n", answered);
  std::printf("longest_gap_ms %lld\n", longest < 0 ? -1LL : to_ms(longest));
  std::printf("gap_start_ms %lld\n", longest_start < 0 ? -1LL : to_ms(longest_start));
  std::printf("tail_gap_ms %lld\n", tail < 0 ? -1LL : to_ms(tail));
  std::printf("non_2xx %lu\n", p.non_2xx);
  for (auto& g : gaps) std::printf("gap %lld %lld\n", to_ms(g.first), to_ms(g.second));
  std::fflush(stdout);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  sockaddr_in from{}, to{}, answer_addr{};
  bool have_from = false, have_to = false, answering = false;
  long interval_ms = 5, duration_ms = 0, gaps_over_ms = -1, linger_ms = 300, rcvbuf = 0;
  std::string ready_file;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> const char* {
      if (i + 1 >= argc) {
        usage();
        std::exit(1);
      }
      return argv[++i];
    };
    auto number = [&](long& out) {
      const char* v = value();
      if (!parse_number(v, out)) {
        std::fprintf(stderr, "siplb-options-prober: %s needs a number, not '%s'\n", a.c_str(), v);
        std::exit(1);
      }
    };
    auto endpoint = [&](sockaddr_in& out) {
      const char* v = value();
      if (!parse_endpoint(v, out)) {
        std::fprintf(stderr, "siplb-options-prober: %s needs IPv4:PORT, not '%s'\n", a.c_str(), v);
        std::exit(1);
      }
    };
    if (a == "--from") {
      endpoint(from);
      have_from = true;
    } else if (a == "--to") {
      endpoint(to);
      have_to = true;
    } else if (a == "--answer") {
      endpoint(answer_addr);
      answering = true;
    } else if (a == "--interval-ms") {
      number(interval_ms);
    } else if (a == "--duration-ms") {
      number(duration_ms);
    } else if (a == "--gaps-over-ms") {
      number(gaps_over_ms);
    } else if (a == "--linger-ms") {
      number(linger_ms);
    } else if (a == "--rcvbuf") {
      number(rcvbuf);
    } else if (a == "--ready-file") {
      ready_file = value();
    } else if (a == "--help" || a == "-h") {
      usage();
      return 0;
    } else {
      usage();
      return 1;
    }
  }
  struct sigaction sa{};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);  // no SA_RESTART: ppoll returns at once
  sigaction(SIGTERM, &sa, nullptr);
  if (answering) return run_answer(answer_addr, duration_ms, rcvbuf);
  if (!have_from || !have_to || interval_ms <= 0) {
    usage();
    return 1;
  }
  return run_probe(from, to, interval_ms, duration_ms, gaps_over_ms, ready_file, linger_ms);
}
