// A writer of the Prometheus text exposition format, version 0.0.4: metric families with their
// HELP and TYPE lines, samples with labels, histograms expanded into _bucket/_sum/_count. Label
// values and help text are escaped here; metric and label names are code constants and are made
// valid (any character outside [a-zA-Z0-9_:] becomes '_') rather than trusted.
//
// The caller writes each family's samples right after its family() call (the format wants a
// family's samples together). Plain value type: one writer per scrape, on the thread that builds
// the scrape.
#pragma once

#include <concepts>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace siplb::control::api {

enum class MetricType { counter, gauge, histogram, untyped };

class PrometheusText {
 public:
  using Labels = std::vector<std::pair<std::string, std::string>>;

  // "# HELP name help" and "# TYPE name type". A name given twice gets its header once.
  void family(std::string_view name, MetricType type, std::string_view help);

  // One sample line: name{label="value",...} value. `name` is the full sample name (for a
  // counter family "x_total", the family name itself).
  void sample(std::string_view name, const Labels& labels, uint64_t value);
  void sample(std::string_view name, const Labels& labels, int64_t value);
  void sample(std::string_view name, const Labels& labels, double value);
  // Other integer types (int, unsigned, size_t) without an ambiguous call.
  template <std::integral Integer>
  void sample(std::string_view name, const Labels& labels, Integer value) {
    if constexpr (std::is_signed_v<Integer>) {
      sample(name, labels, static_cast<int64_t>(value));
    } else {
      sample(name, labels, static_cast<uint64_t>(value));
    }
  }

  // A histogram's samples for one label set: `bucket_counts` holds the observations per bucket
  // (not cumulative), one per upper bound plus a last one for those above every bound; the
  // writer makes the cumulative _bucket{le=...} lines, the +Inf bucket, _sum and _count.
  // Mismatched sizes write nothing (a broken histogram would fail the whole scrape).
  void histogram(std::string_view name, const Labels& labels, std::span<const double> upper_bounds,
                 std::span<const uint64_t> bucket_counts, double sum);

  const std::string& text() const { return text_; }
  std::string take() { return std::move(text_); }

  // Escaping as the format defines it (exposed for tests): label values escape \ " and newline,
  // help text escapes \ and newline.
  static std::string escape_label_value(std::string_view value);
  static std::string escape_help(std::string_view help);
  // Sample values: integers as such, +Inf, -Inf, NaN, otherwise the shortest exact decimal.
  static std::string format_value(double value);

 private:
  void write_name(std::string_view name);
  void write_labels(const Labels& labels, std::string_view extra_name = {}, std::string_view extra_value = {});

  std::string text_;
  std::vector<std::string> families_;  // names already given a header
};

}  // namespace siplb::control::api
