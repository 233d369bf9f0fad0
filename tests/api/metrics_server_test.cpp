// The Prometheus text writer (control/api/prometheus_text.*) and the /metrics HTTP endpoint
// (control/api/metrics_server.*): escaping, number formats and histograms; a body built with the
// writer scraped over TCP on 127.0.0.1 and checked by `promtool check metrics` (skipped when
// promtool is not installed); status codes for other paths, methods and malformed requests.
#include "../../control/api/metrics_server.hpp"

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "../../control/api/prometheus_text.hpp"
#include "api_test_support.hpp"

namespace siplb::control::api {
namespace {

using test::BlockingClient;

// A scrape body with what is hard to get right: label values with quotes, backslashes and
// newlines, help text with backslashes and newlines, a gauge, a float, a labelled histogram.
std::string example_body() {
  PrometheusText text;
  text.family("siplb_forwarded_requests_total", MetricType::counter,
              "SIP requests forwarded, by method and set.\nSecond line with a backslash \\ in it.");
  text.sample("siplb_forwarded_requests_total", {{"method", "INVITE"}, {"set", "a \"quoted\" \\ name\nnext"}},
              uint64_t{1234});
  text.sample("siplb_forwarded_requests_total", {{"method", "OPTIONS"}, {"set", "plain"}}, uint64_t{0});
  text.family("siplb_dialogs_live", MetricType::gauge, "Dialogs in the dialog table.");
  text.sample("siplb_dialogs_live", {}, 42);
  text.family("siplb_uptime_seconds", MetricType::gauge, "Seconds since siplbd started.");
  text.sample("siplb_uptime_seconds", {}, 12.625);
  text.family("siplb_api_request_duration_seconds", MetricType::histogram, "Time to answer an API request.");
  std::vector<double> bounds = {0.001, 0.01, 0.1, 1};
  std::vector<uint64_t> counts = {5, 3, 0, 1, 2};
  text.histogram("siplb_api_request_duration_seconds", {{"command", "dest.list"}}, bounds, counts, 7.25);
  return text.take();
}

TEST(PrometheusTextTest, EscapesLabelValuesAndHelp) {
  EXPECT_EQ(PrometheusText::escape_label_value("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
  EXPECT_EQ(PrometheusText::escape_help("a\"b\\c\nd"), "a\"b\\\\c\\nd");
  std::string body = example_body();
  EXPECT_NE(body.find(R"(siplb_forwarded_requests_total{method="INVITE",set="a \"quoted\" \\ name\nnext"} 1234)"),
            std::string::npos)
      << body;
  EXPECT_NE(body.find("# HELP siplb_forwarded_requests_total SIP requests forwarded, by method and set.\\nSecond "
                      "line with a backslash \\\\ in it.\n"),
            std::string::npos)
      << body;
}

TEST(PrometheusTextTest, WritesFamiliesAndSamples) {
  PrometheusText text;
  text.family("up", MetricType::gauge, "Whether it runs.");
  text.sample("up", {}, 1);
  text.family("up", MetricType::gauge, "A second header is dropped.");
  text.family("things_total", MetricType::counter, "Things.");
  text.sample("things_total", {{"kind", "x"}}, int64_t{-3});
  text.family("bad name!", MetricType::untyped, "Names are made valid.");
  text.sample("bad name!", {{"label:x", "v"}}, 0.5);
  EXPECT_EQ(text.text(),
            "# HELP up Whether it runs.\n"
            "# TYPE up gauge\n"
            "up 1\n"
            "# HELP things_total Things.\n"
            "# TYPE things_total counter\n"
            "things_total{kind=\"x\"} -3\n"
            "# HELP bad_name_ Names are made valid.\n"
            "# TYPE bad_name_ untyped\n"
            "bad_name_{label_x=\"v\"} 0.5\n");
}

TEST(PrometheusTextTest, FormatsValues) {
  EXPECT_EQ(PrometheusText::format_value(1), "1");
  EXPECT_EQ(PrometheusText::format_value(0.1), "0.1");
  EXPECT_EQ(PrometheusText::format_value(-2.5), "-2.5");
  EXPECT_EQ(PrometheusText::format_value(1e-6), "1e-06");
  EXPECT_EQ(PrometheusText::format_value(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(PrometheusText::format_value(-std::numeric_limits<double>::infinity()), "-Inf");
  EXPECT_EQ(PrometheusText::format_value(std::nan("")), "NaN");
}

TEST(PrometheusTextTest, HistogramIsCumulativeWithInfSumAndCount) {
  PrometheusText text;
  std::vector<double> bounds = {0.5, 1};
  std::vector<uint64_t> counts = {2, 3, 4};
  text.histogram("latency_seconds", {{"set", "1"}}, bounds, counts, 9.5);
  EXPECT_EQ(text.text(),
            "latency_seconds_bucket{set=\"1\",le=\"0.5\"} 2\n"
            "latency_seconds_bucket{set=\"1\",le=\"1\"} 5\n"
            "latency_seconds_bucket{set=\"1\",le=\"+Inf\"} 9\n"
            "latency_seconds_sum{set=\"1\"} 9.5\n"
            "latency_seconds_count{set=\"1\"} 9\n");
  PrometheusText mismatched;
  mismatched.histogram("x", {}, bounds, std::vector<uint64_t>{1, 2}, 0);
  EXPECT_EQ(mismatched.text(), "");
}

struct HttpResponse {
  int status = 0;
  std::string head;
  std::string body;
};

HttpResponse exchange(uint16_t port, const std::string& request) {
  BlockingClient client;
  EXPECT_TRUE(client.connect_tcp(port));
  EXPECT_TRUE(client.send_all(request));
  std::string raw = client.read_to_end();
  HttpResponse response;
  auto end = raw.find("\r\n\r\n");
  if (end == std::string::npos) return response;
  response.head = raw.substr(0, end + 2);
  response.body = raw.substr(end + 4);
  if (raw.rfind("HTTP/1.1 ", 0) == 0) response.status = std::atoi(raw.c_str() + 9);
  return response;
}

class MetricsServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    server_ = MetricsServer::create(
        io_thread_.io(), "127.0.0.1", 0,
        [this](MetricsServer::Deliver deliver) {
          // Deliver from another thread, as siplbd's control thread would.
          std::lock_guard lock(mutex_);
          producers_.emplace_back([deliver] { deliver(example_body()); });
        },
        error);
    ASSERT_TRUE(server_) << error;
  }
  void TearDown() override {
    if (server_) server_->stop();
    io_thread_.stop();
    std::lock_guard lock(mutex_);
    for (auto& producer : producers_) producer.join();
  }

  test::IoThread io_thread_;
  std::unique_ptr<MetricsServer> server_;
  std::mutex mutex_;
  std::vector<std::thread> producers_;
};

TEST_F(MetricsServerTest, ServesTheProducedBody) {
  ASSERT_NE(server_->port(), 0);
  HttpResponse response = exchange(server_->port(), "GET /metrics HTTP/1.1\r\nHost: localhost\r\n\r\n");
  EXPECT_EQ(response.status, 200) << response.head;
  EXPECT_NE(response.head.find("Content-Type: text/plain; version=0.0.4; charset=utf-8\r\n"), std::string::npos)
      << response.head;
  EXPECT_NE(response.head.find("Connection: close\r\n"), std::string::npos);
  EXPECT_NE(response.head.find("Content-Length: " + std::to_string(example_body().size()) + "\r\n"),
            std::string::npos);
  EXPECT_EQ(response.body, example_body());
  EXPECT_EQ(server_->scrapes(), 1u);
}

TEST_F(MetricsServerTest, QueryStringAndHeadAreServed) {
  HttpResponse response = exchange(server_->port(), "GET /metrics?name[]=x HTTP/1.0\r\n\r\n");
  EXPECT_EQ(response.status, 200);
  response = exchange(server_->port(), "HEAD /metrics HTTP/1.1\r\n\r\n");
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body, "");
}

TEST_F(MetricsServerTest, OtherPathsAreNotFound) {
  EXPECT_EQ(exchange(server_->port(), "GET / HTTP/1.1\r\n\r\n").status, 404);
  EXPECT_EQ(exchange(server_->port(), "GET /metricsx HTTP/1.1\r\n\r\n").status, 404);
}

TEST_F(MetricsServerTest, OtherMethodsAreNotAllowed) {
  HttpResponse response = exchange(server_->port(), "POST /metrics HTTP/1.1\r\nContent-Length: 0\r\n\r\n");
  EXPECT_EQ(response.status, 405);
  EXPECT_NE(response.head.find("Allow: GET, HEAD\r\n"), std::string::npos) << response.head;
  EXPECT_EQ(exchange(server_->port(), "DELETE /metrics HTTP/1.1\r\n\r\n").status, 405);
}

TEST_F(MetricsServerTest, MalformedRequestsAreBadRequests) {
  EXPECT_EQ(exchange(server_->port(), "GARBAGE\r\n\r\n").status, 400);
  EXPECT_EQ(exchange(server_->port(), "GET /metrics\r\n\r\n").status, 400);
  EXPECT_EQ(exchange(server_->port(), "GET /metrics SIP/2.0\r\n\r\n").status, 400);
  EXPECT_EQ(exchange(server_->port(), "GET  /metrics HTTP/1.1\r\n\r\n").status, 400);
}

TEST_F(MetricsServerTest, OverlongHeadIsRefused) {
  std::string request = "GET /metrics HTTP/1.1\r\nX-Filler: " + std::string(kMaxHttpHeadBytes, 'a') + "\r\n\r\n";
  EXPECT_EQ(exchange(server_->port(), request).status, 431);
}

TEST_F(MetricsServerTest, ScrapedBodyPassesPromtool) {
  if (std::system("command -v promtool >/dev/null 2>&1") != 0) {
    GTEST_SKIP() << "promtool not installed (Debian package prometheus); the exposition format is not checked";
  }
  HttpResponse response = exchange(server_->port(), "GET /metrics HTTP/1.1\r\n\r\n");
  ASSERT_EQ(response.status, 200);
  test::TempDir dir;
  std::string body_file = dir.file("metrics.txt");
  std::string output_file = dir.file("promtool.out");
  std::ofstream(body_file) << response.body;
  int status = std::system(("promtool check metrics < '" + body_file + "' > '" + output_file + "' 2>&1").c_str());
  std::ifstream output_stream(output_file);
  std::string output((std::istreambuf_iterator<char>(output_stream)), std::istreambuf_iterator<char>());
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << "promtool check metrics:\n" << output << "\nbody:\n" << response.body;
}

TEST(MetricsServerCreateTest, BindFailureNamesAddressAndPort) {
  test::IoThread io_thread;
  std::string error;
  auto first = MetricsServer::create(io_thread.io(), "127.0.0.1", 0, [](MetricsServer::Deliver) {}, error);
  ASSERT_TRUE(first) << error;
  auto second = MetricsServer::create(io_thread.io(), "127.0.0.1", first->port(), [](MetricsServer::Deliver) {}, error);
  EXPECT_FALSE(second);
  EXPECT_EQ(error, "cannot listen for metrics on 127.0.0.1:" + std::to_string(first->port()) + ": Address already in use");
  EXPECT_FALSE(MetricsServer::create(io_thread.io(), "localhost.invalid", 9100, [](MetricsServer::Deliver) {}, error));
  EXPECT_EQ(error, "cannot listen for metrics on localhost.invalid:9100: \"localhost.invalid\" is not an IP address");
  first->stop();
}

TEST(MetricsServerCreateTest, ProducerThatNeverDeliversStillGetsAnAnswer) {
  test::IoThread io_thread;
  std::string error;
  auto server = MetricsServer::create(io_thread.io(), "127.0.0.1", 0, [](MetricsServer::Deliver) {}, error);
  ASSERT_TRUE(server) << error;
  EXPECT_EQ(exchange(server->port(), "GET /metrics HTTP/1.1\r\n\r\n").status, 500);
  server->stop();
}

}  // namespace
}  // namespace siplb::control::api
