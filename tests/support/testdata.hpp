// Test-side access to the shared SIP test data (RFC 4475 torture messages, call-flow corpus).
// The folder comes from $SIPLB_TESTDATA (set by meson from -Dtestdata_dir, default
// ../shared/testdata); tests that need it skip with a clear message when it is absent.
// Header-only; used by tests, fuzz seed tools and benchmarks, never by the product.
#pragma once

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace siplb::testdata {

inline std::filesystem::path root() {
  const char* env = std::getenv("SIPLB_TESTDATA");
  return env && *env ? std::filesystem::path(env) : std::filesystem::path("../shared/testdata");
}

inline bool read_file(const std::filesystem::path& path, std::string& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream ss;
  ss << in.rdbuf();
  out = ss.str();
  return true;
}

// Splits a stream of SIP messages as the corpus holds them: the header section ends at the first
// empty line (CRLF CRLF), the body is Content-Length octets (none when the header is absent).
// Header names are matched case-insensitively, compact "l" included.
inline std::vector<std::string> split_stream(std::string_view stream) {
  std::vector<std::string> messages;
  std::size_t pos = 0;
  auto lower = [](std::string_view s) {
    std::string r(s);
    for (auto& c : r) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return r;
  };
  while (pos < stream.size()) {
    // Skip blank lines between messages.
    while (pos + 1 < stream.size() && stream[pos] == '\r' && stream[pos + 1] == '\n') pos += 2;
    if (pos >= stream.size()) break;
    std::size_t hend = stream.find("\r\n\r\n", pos);
    if (hend == std::string_view::npos) break;
    std::string_view head = stream.substr(pos, hend - pos);
    std::size_t body = 0;
    std::size_t line = 0;
    while (line < head.size()) {
      std::size_t eol = head.find("\r\n", line);
      if (eol == std::string_view::npos) eol = head.size();
      std::string_view l = head.substr(line, eol - line);
      std::size_t colon = l.find(':');
      if (colon != std::string_view::npos) {
        std::string name = lower(l.substr(0, colon));
        while (!name.empty() && (name.back() == ' ' || name.back() == '\t')) name.pop_back();
        if (name == "content-length" || name == "l") body = std::strtoul(std::string(l.substr(colon + 1)).c_str(), nullptr, 10);
      }
      line = eol + 2;
    }
    std::size_t end = std::min(stream.size(), hend + 4 + body);
    messages.emplace_back(stream.substr(pos, end - pos));
    pos = end;
  }
  return messages;
}

// Every message of corpus/stream-generic.txt, or an empty vector when the file is absent.
inline std::vector<std::string> generic_corpus() {
  std::string stream;
  if (!read_file(root() / "corpus" / "stream-generic.txt", stream)) return {};
  return split_stream(stream);
}

struct ManifestRow {
  std::string file;
  std::string section;
  std::string title;
  std::string klass;     // valid, invalid, transaction, application, compat
  std::string expected;  // accept, reject or either, possibly followed by a remark
};

// rfc4475/MANIFEST.tsv without its header line; empty when absent.
inline std::vector<ManifestRow> rfc4475_manifest() {
  std::vector<ManifestRow> rows;
  std::string text;
  if (!read_file(root() / "rfc4475" / "MANIFEST.tsv", text)) return rows;
  std::istringstream in(text);
  std::string line;
  std::getline(in, line);  // column names
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    std::vector<std::string> cols;
    std::size_t start = 0;
    for (;;) {
      std::size_t tab = line.find('\t', start);
      cols.push_back(line.substr(start, tab == std::string::npos ? std::string::npos : tab - start));
      if (tab == std::string::npos) break;
      start = tab + 1;
    }
    if (cols.size() < 5) continue;
    rows.push_back({cols[0], cols[1], cols[2], cols[3], cols[4]});
  }
  return rows;
}

}  // namespace siplb::testdata
