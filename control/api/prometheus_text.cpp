// Prometheus text exposition writer (see prometheus_text.hpp).
#include "prometheus_text.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>

namespace siplb::control::api {

namespace {

bool name_character(char c, bool first) {
  bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
  return letter || (!first && c >= '0' && c <= '9');
}

const char* type_name(MetricType type) {
  switch (type) {
    case MetricType::counter: return "counter";
    case MetricType::gauge: return "gauge";
    case MetricType::histogram: return "histogram";
    case MetricType::untyped: break;
  }
  return "untyped";
}

}  // namespace

std::string PrometheusText::escape_label_value(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string PrometheusText::escape_help(std::string_view help) {
  std::string out;
  out.reserve(help.size());
  for (char c : help) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string PrometheusText::format_value(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  char buffer[32];
  auto result = std::to_chars(buffer, buffer + sizeof(buffer), value);
  return std::string(buffer, result.ptr);
}

void PrometheusText::write_name(std::string_view name) {
  if (name.empty()) {
    text_ += '_';
    return;
  }
  for (std::size_t i = 0; i < name.size(); ++i) text_ += name_character(name[i], i == 0) ? name[i] : '_';
}

void PrometheusText::write_labels(const Labels& labels, std::string_view extra_name, std::string_view extra_value) {
  if (labels.empty() && extra_name.empty()) return;
  text_ += '{';
  bool first = true;
  auto write_one = [&](std::string_view label, std::string_view value) {
    if (!first) text_ += ',';
    first = false;
    // Label names may not contain ':'; write_name allows it for metric names, so map it here.
    std::size_t start = text_.size();
    write_name(label);
    std::replace(text_.begin() + static_cast<std::ptrdiff_t>(start), text_.end(), ':', '_');
    text_ += "=\"";
    text_ += escape_label_value(value);
    text_ += '"';
  };
  for (const auto& [label, value] : labels) write_one(label, value);
  if (!extra_name.empty()) write_one(extra_name, extra_value);
  text_ += '}';
}

void PrometheusText::family(std::string_view name, MetricType type, std::string_view help) {
  if (std::find(families_.begin(), families_.end(), name) != families_.end()) return;
  families_.emplace_back(name);
  text_ += "# HELP ";
  write_name(name);
  text_ += ' ';
  text_ += escape_help(help);
  text_ += "\n# TYPE ";
  write_name(name);
  text_ += ' ';
  text_ += type_name(type);
  text_ += '\n';
}

void PrometheusText::sample(std::string_view name, const Labels& labels, uint64_t value) {
  write_name(name);
  write_labels(labels);
  text_ += ' ';
  text_ += std::to_string(value);
  text_ += '\n';
}

void PrometheusText::sample(std::string_view name, const Labels& labels, int64_t value) {
  write_name(name);
  write_labels(labels);
  text_ += ' ';
  text_ += std::to_string(value);
  text_ += '\n';
}

void PrometheusText::sample(std::string_view name, const Labels& labels, double value) {
  write_name(name);
  write_labels(labels);
  text_ += ' ';
  text_ += format_value(value);
  text_ += '\n';
}

void PrometheusText::histogram(std::string_view name, const Labels& labels, std::span<const double> upper_bounds,
                               std::span<const uint64_t> bucket_counts, double sum) {
  if (bucket_counts.size() != upper_bounds.size() + 1) return;
  std::string base(name);
  uint64_t cumulative = 0;
  for (std::size_t i = 0; i < upper_bounds.size(); ++i) {
    cumulative += bucket_counts[i];
    write_name(base + "_bucket");
    write_labels(labels, "le", format_value(upper_bounds[i]));
    text_ += ' ' + std::to_string(cumulative) + '\n';
  }
  cumulative += bucket_counts.back();
  write_name(base + "_bucket");
  write_labels(labels, "le", "+Inf");
  text_ += ' ' + std::to_string(cumulative) + '\n';
  sample(base + "_sum", labels, sum);
  sample(base + "_count", labels, cumulative);
}

}  // namespace siplb::control::api
