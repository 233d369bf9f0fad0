// ApiServer (control/api/api_server.*) over a real Unix socket in a temporary folder: request and
// reply framing, the protocol errors, replies from other threads and to vanished clients, the
// socket file's life (in use, stale, mode, removal), the connection limit; and the argument
// getters of control/api/api_args.* with the fields their errors name.
#include "../../control/api/api_server.hpp"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <fstream>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "../../control/api/api_args.hpp"
#include "api_test_support.hpp"

namespace siplb::control::api {
namespace {

using test::BlockingClient;
using test::eventually;

class ApiServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    socket_path_ = dir_.file("siplbd.sock");
    std::string error;
    server_ = ApiServer::create(io_thread_.io(), socket_path_, error);
    ASSERT_TRUE(server_) << error;
    server_->add_command("echo", [](const Json& args, Respond respond) { respond(Reply::success(args)); });
    server_->add_command("dest.list", [](const Json&, Respond respond) { respond(Reply::success({{"sets", Json::array()}})); });
    server_->add_command("dest.show", [](const Json&, Respond respond) { respond(Reply::success(Json::object())); });
    server_->add_command("dest.add", [](const Json&, Respond respond) { respond(Reply::success(Json::object())); });
    server_->add_command("later", [this](const Json& args, Respond respond) {
      // Answers from another thread after a pause.
      int delay_ms = args.value("delay_ms", 30);
      std::lock_guard lock(threads_mutex_);
      threads_.emplace_back([respond, delay_ms, args] {
        std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
        respond(Reply::success(args));
      });
    });
    server_->add_command("hold", [this](const Json&, Respond respond) {
      std::lock_guard lock(threads_mutex_);
      held_.push_back(std::move(respond));
    });
    server_->add_command("silent", [](const Json&, Respond) {});
    server_->add_command("throws", [](const Json&, Respond) { throw std::runtime_error("boom"); });
    server_->add_command("set_weight", [](const Json& args, Respond respond) {
      Reply error;
      std::string uri;
      std::optional<int64_t> set;
      int64_t weight = 0;
      if (!check_known(args, {"uri", "set", "weight"}, error) ||
          !get_string(args, "uri", Arg::required, uri, error) || !get_integer(args, "set", set, 1, 65535, error) ||
          !get_integer(args, "weight", Arg::required, 0, 65535, weight, error)) {
        return respond(error);
      }
      respond(Reply::success({{"uri", uri}, {"weight", weight}}));
    });
    server_->start();
  }

  void TearDown() override {
    if (server_) server_->stop();
    io_thread_.stop();
    std::lock_guard lock(threads_mutex_);
    for (auto& thread : threads_) thread.join();
  }

  // Sends one line on a new connection and returns the reply object.
  Json ask(const std::string& line) {
    BlockingClient client;
    EXPECT_TRUE(client.connect_unix(socket_path_));
    EXPECT_TRUE(client.send_all(line + "\n"));
    auto reply = client.read_line();
    EXPECT_TRUE(reply.has_value()) << "no reply to " << line;
    return reply ? Json::parse(*reply) : Json();
  }

  static void expect_error(const Json& reply, const std::string& code, const std::string& field) {
    ASSERT_TRUE(reply.is_object()) << reply;
    EXPECT_EQ(reply["version"], 1) << reply;
    EXPECT_EQ(reply["ok"], false) << reply;
    EXPECT_EQ(reply["error"]["code"], code) << reply;
    EXPECT_EQ(reply["error"]["field"], field) << reply;
    EXPECT_FALSE(reply["error"]["message"].get<std::string>().empty()) << reply;
  }

  test::TempDir dir_;
  test::IoThread io_thread_;
  std::string socket_path_;
  std::unique_ptr<ApiServer> server_;
  std::mutex threads_mutex_;
  std::vector<std::thread> threads_;
  std::vector<Respond> held_;
};

TEST_F(ApiServerTest, RoundTrip) {
  Json reply = ask(R"({"version":1,"command":"echo","args":{"weight":5,"uri":"sip:a"}})");
  EXPECT_EQ(reply, Json::parse(R"({"version":1,"ok":true,"result":{"weight":5,"uri":"sip:a"}})"));
  EXPECT_EQ(server_->requests(), 1u);
  EXPECT_EQ(server_->errors(), 0u);
}

TEST_F(ApiServerTest, ArgsMayBeOmittedAndHandlersGetAnObject) {
  Json reply = ask(R"({"version":1,"command":"echo"})");
  EXPECT_EQ(reply["result"], Json::object());
  reply = ask(R"({"version":1,"command":"echo","args":null})");
  EXPECT_EQ(reply["result"], Json::object());
}

TEST_F(ApiServerTest, SeveralRequestsOnOneConnectionAnswerInOrder) {
  BlockingClient client;
  ASSERT_TRUE(client.connect_unix(socket_path_));
  // The first answers late from another thread; the others must still come after it.
  std::string lines = R"({"version":1,"command":"later","args":{"n":1,"delay_ms":80}})" "\n"
                      R"({"version":1,"command":"echo","args":{"n":2}})" "\n"
                      "\n"  // blank lines are skipped
                      R"({"version":1,"command":"later","args":{"n":3,"delay_ms":5}})" "\r\n";
  ASSERT_TRUE(client.send_all(lines));
  for (int expected = 1; expected <= 3; ++expected) {
    auto line = client.read_line();
    ASSERT_TRUE(line.has_value());
    EXPECT_EQ(Json::parse(*line)["result"]["n"], expected);
  }
  // Then more on the same connection.
  ASSERT_TRUE(client.send_all(R"({"version":1,"command":"echo","args":{"n":4}})" "\n"));
  auto line = client.read_line();
  ASSERT_TRUE(line.has_value());
  EXPECT_EQ(Json::parse(*line)["result"]["n"], 4);
  EXPECT_EQ(server_->requests(), 4u);
}

TEST_F(ApiServerTest, RequestSplitAcrossWritesIsReassembled) {
  BlockingClient client;
  ASSERT_TRUE(client.connect_unix(socket_path_));
  ASSERT_TRUE(client.send_all(R"({"version":1,"comm)"));
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  ASSERT_TRUE(client.send_all(R"(and":"echo","args":{"x":true}})" "\n"));
  auto line = client.read_line();
  ASSERT_TRUE(line.has_value());
  EXPECT_EQ(Json::parse(*line)["result"]["x"], true);
}

TEST_F(ApiServerTest, LastLineWithoutNewlineIsAnsweredAtEndOfStream) {
  BlockingClient client;
  ASSERT_TRUE(client.connect_unix(socket_path_));
  ASSERT_TRUE(client.send_all(R"({"version":1,"command":"echo","args":{"x":1}})"));
  client.shutdown_write();
  auto line = client.read_line();
  ASSERT_TRUE(line.has_value());
  EXPECT_EQ(Json::parse(*line)["result"]["x"], 1);
  EXPECT_TRUE(client.peer_closed());
}

TEST_F(ApiServerTest, BadJsonIsABadRequestWithTheParserPosition) {
  Json reply = ask(R"({"version":1,"command":)");
  expect_error(reply, "bad_request", "");
  std::string message = reply["error"]["message"];
  EXPECT_NE(message.find("not valid JSON"), std::string::npos) << message;
  EXPECT_NE(message.find("line 1, column"), std::string::npos) << message;
  EXPECT_EQ(message.find("[json.exception"), std::string::npos) << message;
  EXPECT_EQ(server_->errors(), 1u);
}

TEST_F(ApiServerTest, ConnectionSurvivesAProtocolError) {
  BlockingClient client;
  ASSERT_TRUE(client.connect_unix(socket_path_));
  ASSERT_TRUE(client.send_all("garbage\n" R"({"version":1,"command":"echo","args":{"n":2}})" "\n"));
  auto first = client.read_line();
  auto second = client.read_line();
  ASSERT_TRUE(first && second);
  EXPECT_EQ(Json::parse(*first)["error"]["code"], "bad_request");
  EXPECT_EQ(Json::parse(*second)["result"]["n"], 2);
}

TEST_F(ApiServerTest, NonObjectRequestIsABadRequest) {
  Json reply = ask(R"([1,2,3])");
  expect_error(reply, "bad_request", "");
  EXPECT_NE(reply["error"]["message"].get<std::string>().find("must be a JSON object, got array"), std::string::npos);
  expect_error(ask(R"("dest.list")"), "bad_request", "");
}

TEST_F(ApiServerTest, ArgsThatAreNotAnObjectAreABadRequest) {
  Json reply = ask(R"({"version":1,"command":"echo","args":["weight",5]})");
  expect_error(reply, "bad_request", "args");
  EXPECT_NE(reply["error"]["message"].get<std::string>().find("must be an object, got array"), std::string::npos);
  expect_error(ask(R"({"version":1,"command":"echo","args":"weight=5"})"), "bad_request", "args");
}

TEST_F(ApiServerTest, DeeplyNestedRequestIsRefused) {
  std::string deep = R"({"version":1,"command":"echo","args":{"x":)" + std::string(100, '[') + std::string(100, ']') + "}}";
  Json reply = ask(deep);
  expect_error(reply, "bad_request", "");
  EXPECT_NE(reply["error"]["message"].get<std::string>().find("deeper"), std::string::npos) << reply;
}

TEST_F(ApiServerTest, UnsupportedVersionNamesTheServedVersion) {
  Json reply = ask(R"({"version":2,"command":"echo"})");
  expect_error(reply, "unsupported_version", "version");
  EXPECT_NE(reply["error"]["message"].get<std::string>().find("version 1"), std::string::npos) << reply;
  expect_error(ask(R"({"version":"1","command":"echo"})"), "unsupported_version", "version");
  expect_error(ask(R"({"command":"echo"})"), "bad_request", "version");
}

TEST_F(ApiServerTest, MissingOrNonStringCommandIsABadRequest) {
  expect_error(ask(R"({"version":1})"), "bad_request", "command");
  expect_error(ask(R"({"version":1,"command":7})"), "bad_request", "command");
}

TEST_F(ApiServerTest, UnknownCommandSuggestsACloseName) {
  Json reply = ask(R"({"version":1,"command":"dest.lst"})");
  expect_error(reply, "unknown_command", "command");
  std::string message = reply["error"]["message"];
  EXPECT_NE(message.find(R"(unknown command "dest.lst")"), std::string::npos) << message;
  EXPECT_NE(message.find(R"(did you mean "dest.list"?)"), std::string::npos) << message;

  // Nothing close: the commands of the same group, never the whole table.
  reply = ask(R"({"version":1,"command":"dest.frobnicate_all_of_them"})");
  expect_error(reply, "unknown_command", "command");
  message = reply["error"]["message"];
  EXPECT_NE(message.find("dest commands are: dest.add dest.list dest.show"), std::string::npos) << message;
  EXPECT_EQ(message.find("echo"), std::string::npos) << message;

  reply = ask(R"({"version":1,"command":"completely_unrelated_words"})");
  expect_error(reply, "unknown_command", "command");
}

TEST_F(ApiServerTest, OverlongLineIsRefusedAndTheConnectionClosed) {
  BlockingClient client;
  ASSERT_TRUE(client.connect_unix(socket_path_));
  std::string huge = R"({"version":1,"command":"echo","args":{"x":")" + std::string(kMaxRequestBytes, 'a') + "\"}}";
  // The server stops reading at the limit, so write from another thread and ignore failures.
  std::thread writer([&client, &huge] { client.send_all(huge + "\n"); });
  auto line = client.read_line();
  writer.join();
  ASSERT_TRUE(line.has_value());
  Json reply = Json::parse(*line);
  expect_error(reply, "bad_request", "");
  EXPECT_NE(reply["error"]["message"].get<std::string>().find("longer than 1048576 bytes"), std::string::npos);
  EXPECT_TRUE(client.peer_closed());
  // The server goes on serving others.
  EXPECT_EQ(ask(R"({"version":1,"command":"echo","args":{"n":1}})")["ok"], true);
}

TEST_F(ApiServerTest, LineOfExactlyTheLimitIsAccepted) {
  std::string prefix = R"({"version":1,"command":"echo","args":{"x":")";
  std::string suffix = "\"}}";
  std::string line = prefix + std::string(kMaxRequestBytes - prefix.size() - suffix.size(), 'a') + suffix;
  ASSERT_EQ(line.size(), kMaxRequestBytes);
  BlockingClient client;
  ASSERT_TRUE(client.connect_unix(socket_path_));
  ASSERT_TRUE(client.send_all(line + "\n"));
  auto reply = client.read_line();
  ASSERT_TRUE(reply.has_value());
  EXPECT_EQ(Json::parse(*reply)["ok"], true);
}

TEST_F(ApiServerTest, HandlerMayRespondFromAnotherThread) {
  Json reply = ask(R"({"version":1,"command":"later","args":{"delay_ms":50,"from":"thread"}})");
  EXPECT_EQ(reply["ok"], true);
  EXPECT_EQ(reply["result"]["from"], "thread");
}

TEST_F(ApiServerTest, ClientDisconnectingBeforeTheReplyHarmsNothing) {
  {
    BlockingClient client;
    ASSERT_TRUE(client.connect_unix(socket_path_));
    ASSERT_TRUE(client.send_all(R"({"version":1,"command":"hold"})" "\n"));
    ASSERT_TRUE(eventually([&] {
      std::lock_guard lock(threads_mutex_);
      return held_.size() == 1;
    }));
  }  // gone before the answer
  // The server notices when it writes the answer, not before: it reads no further while a
  // request is in hand.
  // Answering now, from this thread, twice: both are no-ops.
  Respond respond;
  {
    std::lock_guard lock(threads_mutex_);
    respond = held_.front();
  }
  respond(Reply::success({{"late", true}}));
  respond(Reply::success({{"later", true}}));
  EXPECT_EQ(ask(R"({"version":1,"command":"echo","args":{"still":"serving"}})")["result"]["still"], "serving");
  EXPECT_TRUE(eventually([&] { return server_->connections() == 0; }));
}

TEST_F(ApiServerTest, RespondDroppedUncalledStillAnswers) {
  Json reply = ask(R"({"version":1,"command":"silent"})");
  expect_error(reply, "failed", "");
  EXPECT_NE(reply["error"]["message"].get<std::string>().find("silent ended without an answer"), std::string::npos);
}

TEST_F(ApiServerTest, HandlerExceptionBecomesAFailedReply) {
  Json reply = ask(R"({"version":1,"command":"throws"})");
  expect_error(reply, "failed", "");
  EXPECT_NE(reply["error"]["message"].get<std::string>().find("boom"), std::string::npos);
}

TEST_F(ApiServerTest, ArgumentErrorsTravelWithTheirField) {
  Json reply = ask(R"({"version":1,"command":"set_weight","args":{"uri":"sip:a","weight":"x"}})");
  expect_error(reply, "bad_argument", "args.weight");
  EXPECT_EQ(reply["error"]["message"], R"(must be an integer from 0 to 65535, got "x")");
  reply = ask(R"({"version":1,"command":"set_weight","args":{"uri":"sip:a","wieght":3}})");
  expect_error(reply, "bad_argument", "args.wieght");
  reply = ask(R"({"version":1,"command":"set_weight","args":{"uri":"sip:a","weight":3}})");
  EXPECT_EQ(reply["result"], Json::parse(R"({"uri":"sip:a","weight":3})"));
  EXPECT_EQ(server_->requests(), 3u);
  EXPECT_EQ(server_->errors(), 2u);
}

TEST_F(ApiServerTest, ConnectionsBeyondTheLimitAreRefused) {
  std::vector<std::unique_ptr<BlockingClient>> clients;
  for (std::size_t i = 0; i < kMaxConnections; ++i) {
    auto client = std::make_unique<BlockingClient>();
    ASSERT_TRUE(client->connect_unix(socket_path_));
    clients.push_back(std::move(client));
  }
  ASSERT_TRUE(eventually([&] { return server_->connections() == kMaxConnections; }));
  BlockingClient extra;
  ASSERT_TRUE(extra.connect_unix(socket_path_));
  auto line = extra.read_line();
  ASSERT_TRUE(line.has_value());
  Json reply = Json::parse(*line);
  expect_error(reply, "failed", "");
  EXPECT_NE(reply["error"]["message"].get<std::string>().find("too many connections"), std::string::npos);
  EXPECT_TRUE(extra.peer_closed());
  // The admitted ones work; after one leaves, a newcomer is admitted.
  ASSERT_TRUE(clients.back()->send_all(R"({"version":1,"command":"echo","args":{"n":64}})" "\n"));
  auto answer = clients.back()->read_line();
  ASSERT_TRUE(answer.has_value());
  EXPECT_EQ(Json::parse(*answer)["result"]["n"], 64);
  clients.pop_back();
  ASSERT_TRUE(eventually([&] { return server_->connections() == kMaxConnections - 1; }));
  EXPECT_EQ(ask(R"({"version":1,"command":"echo","args":{"n":1}})")["ok"], true);
}

TEST_F(ApiServerTest, SocketHasMode0660) {
  struct stat info {};
  ASSERT_EQ(::stat(socket_path_.c_str(), &info), 0);
  EXPECT_TRUE(S_ISSOCK(info.st_mode));
  EXPECT_EQ(info.st_mode & 0777, 0660u);
}

TEST_F(ApiServerTest, SocketInUseByAnotherServerIsRefused) {
  test::IoThread other_io;
  std::string error;
  auto second = ApiServer::create(other_io.io(), socket_path_, error);
  EXPECT_FALSE(second);
  EXPECT_EQ(error, "api socket " + socket_path_ + " is in use by another siplbd");
  // The first one is untouched.
  EXPECT_EQ(ask(R"({"version":1,"command":"echo","args":{"n":1}})")["ok"], true);
}

TEST_F(ApiServerTest, StopRemovesTheSocketFileAndClosesConnections) {
  BlockingClient client;
  ASSERT_TRUE(client.connect_unix(socket_path_));
  ASSERT_TRUE(eventually([&] { return server_->connections() == 1; }));
  server_->stop();
  EXPECT_FALSE(std::filesystem::exists(socket_path_));
  EXPECT_TRUE(client.peer_closed());
  BlockingClient late;
  EXPECT_FALSE(late.connect_unix(socket_path_));
  server_->stop();  // idempotent
}

// Socket-file situations before create(), without a running server.
class ApiSocketFileTest : public ::testing::Test {
 protected:
  test::TempDir dir_;
  test::IoThread io_thread_;
};

TEST_F(ApiSocketFileTest, StaleSocketFileIsReplaced) {
  std::string path = dir_.file("siplbd.sock");
  // What a killed siplbd leaves: a bound socket file nobody listens on.
  int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::strncpy(address.sun_path, path.c_str(), sizeof(address.sun_path) - 1);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
  ::close(fd);
  ASSERT_TRUE(std::filesystem::exists(path));

  std::string error;
  auto server = ApiServer::create(io_thread_.io(), path, error);
  ASSERT_TRUE(server) << error;
  server->add_command("echo", [](const Json& args, Respond respond) { respond(Reply::success(args)); });
  server->start();
  BlockingClient client;
  ASSERT_TRUE(client.connect_unix(path));
  ASSERT_TRUE(client.send_all(R"({"version":1,"command":"echo","args":{"n":1}})" "\n"));
  auto line = client.read_line();
  ASSERT_TRUE(line.has_value());
  EXPECT_EQ(Json::parse(*line)["result"]["n"], 1);
  server->stop();
}

TEST_F(ApiSocketFileTest, OtherFileAtThePathIsLeftAlone) {
  std::string path = dir_.file("siplbd.sock");
  std::ofstream(path) << "not a socket";
  std::string error;
  EXPECT_FALSE(ApiServer::create(io_thread_.io(), path, error));
  EXPECT_EQ(error, "api socket " + path + " exists and is not a socket (refusing to replace it)");
  EXPECT_TRUE(std::filesystem::is_regular_file(path));
}

TEST_F(ApiSocketFileTest, MissingParentFolderIsNamed) {
  std::string path = dir_.file("no-such-folder/siplbd.sock");
  std::string error;
  EXPECT_FALSE(ApiServer::create(io_thread_.io(), path, error));
  EXPECT_EQ(error, "cannot bind api socket " + path + ": No such file or directory");
}

TEST_F(ApiSocketFileTest, OverlongPathIsNamed) {
  std::string path = dir_.file(std::string(120, 'x'));
  std::string error;
  EXPECT_FALSE(ApiServer::create(io_thread_.io(), path, error));
  EXPECT_NE(error.find("api socket " + path + ": path longer than 107 bytes"), std::string::npos) << error;
}

// The argument getters on their own.
class ApiArgsTest : public ::testing::Test {
 protected:
  void expect_bad(const Reply& error, const std::string& field, const std::string& message) {
    EXPECT_FALSE(error.ok);
    EXPECT_EQ(error.error.code, "bad_argument");
    EXPECT_EQ(error.error.field, field);
    EXPECT_EQ(error.error.message, message);
  }
  Reply error_;
};

TEST_F(ApiArgsTest, MissingRequiredArgumentNamesIt) {
  std::string uri;
  EXPECT_FALSE(get_string(Json::object(), "uri", Arg::required, uri, error_));
  expect_bad(error_, "args.uri", R"(missing required argument "uri")");
  EXPECT_FALSE(get_string(Json{{"uri", nullptr}}, "uri", Arg::required, uri, error_));
  expect_bad(error_, "args.uri", R"(missing required argument "uri")");
}

TEST_F(ApiArgsTest, OptionalArgumentMayBeAbsent) {
  std::string uri = "default";
  EXPECT_TRUE(get_string(Json::object(), "uri", Arg::optional, uri, error_));
  EXPECT_EQ(uri, "default");
  std::optional<int64_t> set = 4;
  EXPECT_TRUE(get_integer(Json::object(), "set", set, 1, 10, error_));
  EXPECT_FALSE(set.has_value());
  EXPECT_TRUE(get_integer(Json{{"set", 3}}, "set", set, 1, 10, error_));
  EXPECT_EQ(set, 3);
  std::optional<std::string> level;
  EXPECT_TRUE(get_enum(Json::object(), "level", {"info", "debug"}, level, error_));
  EXPECT_FALSE(level.has_value());
  std::optional<bool> flag;
  EXPECT_TRUE(get_bool(Json{{"flag", false}}, "flag", flag, error_));
  EXPECT_EQ(flag, false);
}

TEST_F(ApiArgsTest, WrongTypesAreNamed) {
  std::string uri;
  EXPECT_FALSE(get_string(Json{{"uri", 5}}, "uri", Arg::required, uri, error_));
  expect_bad(error_, "args.uri", "must be a string, got 5");
  bool drained = false;
  EXPECT_FALSE(get_bool(Json{{"drained", "yes"}}, "drained", Arg::required, drained, error_));
  expect_bad(error_, "args.drained", R"(must be true or false, got "yes")");
  int64_t weight = 0;
  EXPECT_FALSE(get_integer(Json{{"weight", 1.5}}, "weight", Arg::required, 0, 65535, weight, error_));
  expect_bad(error_, "args.weight", "must be an integer from 0 to 65535, got 1.5");
  EXPECT_FALSE(get_integer(Json{{"weight", true}}, "weight", Arg::required, 0, 65535, weight, error_));
  expect_bad(error_, "args.weight", "must be an integer from 0 to 65535, got true");
  // An integral double is an integer to languages that have only doubles.
  EXPECT_TRUE(get_integer(Json{{"weight", 7.0}}, "weight", Arg::required, 0, 65535, weight, error_));
  EXPECT_EQ(weight, 7);
}

TEST_F(ApiArgsTest, OutOfRangeIntegersAreNamed) {
  int64_t weight = 0;
  EXPECT_FALSE(get_integer(Json{{"weight", 70000}}, "weight", Arg::required, 0, 65535, weight, error_));
  expect_bad(error_, "args.weight", "must be an integer from 0 to 65535, got 70000");
  EXPECT_FALSE(get_integer(Json{{"weight", -1}}, "weight", Arg::required, 0, 65535, weight, error_));
  expect_bad(error_, "args.weight", "must be an integer from 0 to 65535, got -1");
  EXPECT_FALSE(get_integer(Json::parse(R"({"weight":18446744073709551615})"), "weight", Arg::required, 0, 65535,
                           weight, error_));
  EXPECT_EQ(error_.error.field, "args.weight");
  int64_t limit = 0;
  EXPECT_FALSE(get_integer(Json{{"limit", 0}}, "limit", Arg::required, 1, INT64_MAX, limit, error_));
  expect_bad(error_, "args.limit", "must be an integer of at least 1, got 0");
  double interval = 0;
  EXPECT_FALSE(get_number(Json{{"interval", 0}}, "interval", Arg::required, 0.1, 60, interval, error_));
  expect_bad(error_, "args.interval", "must be a number from 0.1 to 60.0, got 0");
  EXPECT_TRUE(get_number(Json{{"interval", 2}}, "interval", Arg::required, 0.1, 60, interval, error_));
  EXPECT_EQ(interval, 2.0);
  EXPECT_EQ(weight, 0);  // untouched by failures
}

TEST_F(ApiArgsTest, UnknownArgumentIsNamedWithWhatTheCommandTakes) {
  EXPECT_TRUE(check_known(Json{{"uri", "sip:a"}, {"set", 1}}, {"uri", "set"}, error_));
  EXPECT_FALSE(check_known(Json{{"uri", "sip:a"}, {"wieght", 1}}, {"uri", "set", "weight"}, error_));
  expect_bad(error_, "args.wieght", R"(unknown argument "wieght" (this command takes: uri, set, weight))");
  EXPECT_FALSE(check_known(Json{{"x", 1}}, {}, error_));
  expect_bad(error_, "args.x", R"(unknown argument "x" (this command takes no arguments))");
}

TEST_F(ApiArgsTest, BadEnumListsTheAllowedValues) {
  std::string state;
  EXPECT_FALSE(get_enum(Json{{"state", "up"}}, "state", Arg::required, {"active", "inactive", "probing", "disabled"},
                        state, error_));
  expect_bad(error_, "args.state", R"(must be one of active, inactive, probing, disabled; got "up")");
  EXPECT_TRUE(get_enum(Json{{"state", "probing"}}, "state", Arg::required, {"active", "probing"}, state, error_));
  EXPECT_EQ(state, "probing");
}

TEST_F(ApiArgsTest, IntegerMapNamesTheBadEntry) {
  std::map<std::string, int64_t> capacity;
  EXPECT_TRUE(get_integer_map(Json::parse(R"({"capacity":{"calls":100,"regs":5}})"), "capacity", Arg::required, 0,
                              1000000, capacity, error_));
  EXPECT_EQ(capacity, (std::map<std::string, int64_t>{{"calls", 100}, {"regs", 5}}));
  EXPECT_FALSE(get_integer_map(Json::parse(R"({"capacity":{"calls":-3}})"), "capacity", Arg::required, 0, 1000000,
                               capacity, error_));
  expect_bad(error_, "args.capacity.calls", "must be an integer from 0 to 1000000, got -3");
  EXPECT_FALSE(get_integer_map(Json::parse(R"({"capacity":[1]})"), "capacity", Arg::required, 0, 10, capacity, error_));
  EXPECT_EQ(error_.error.field, "args.capacity");
}

TEST_F(ApiArgsTest, LongValuesAreCutShortInMessages) {
  int64_t weight = 0;
  EXPECT_FALSE(get_integer(Json{{"weight", std::string(500, 'x')}}, "weight", Arg::required, 0, 10, weight, error_));
  EXPECT_LT(error_.error.message.size(), 150u);
  EXPECT_NE(error_.error.message.find("..."), std::string::npos);
}

}  // namespace
}  // namespace siplb::control::api
