// Reading a command's arguments: typed getters that check presence, type and range, and on a
// problem fill a bad_argument Reply whose field names the argument ("args.weight") and whose
// message says what was expected and what came ("must be an integer from 0 to 65535, got \"x\"").
// check_known() refuses arguments a command does not take, so a typo is an error, not a default.
//
// Typical handler:
//   Reply error;
//   std::string uri; std::optional<int64_t> set; int64_t weight = 0;
//   if (!check_known(args, {"uri", "set", "weight"}, error) ||
//       !get_string(args, "uri", Arg::required, uri, error) ||
//       !get_integer(args, "set", set, 1, 65535, error) ||
//       !get_integer(args, "weight", Arg::required, 0, 65535, weight, error)) {
//     return respond(error);
//   }
//
// Pure functions over JSON values; any thread.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "api_server.hpp"

namespace siplb::control::api {

enum class Arg { required, optional };

// The field name of an argument in error replies: "args.<name>".
std::string arg_field(std::string_view name);
// A bad_argument Reply for `name`.
Reply bad_argument(std::string_view name, std::string message);

// Fails on the first member of `args` not in `known` (field "args.<name>"; the message lists what
// the command takes), and when `args` is not an object.
bool check_known(const Json& args, std::initializer_list<std::string_view> known, Reply& error);

// With Arg::optional an absent argument leaves `out` as it was and returns true; JSON null counts
// as absent. The std::optional overloads are for optional arguments whose absence matters.
bool get_string(const Json& args, std::string_view name, Arg presence, std::string& out, Reply& error);
bool get_string(const Json& args, std::string_view name, std::optional<std::string>& out, Reply& error);

// Integers within [min, max]. A JSON number with a fraction, a string or a bool is refused.
bool get_integer(const Json& args, std::string_view name, Arg presence, int64_t min, int64_t max, int64_t& out,
                 Reply& error);
bool get_integer(const Json& args, std::string_view name, std::optional<int64_t>& out, int64_t min, int64_t max,
                 Reply& error);

// Any JSON number within [min, max] (durations, ratios).
bool get_number(const Json& args, std::string_view name, Arg presence, double min, double max, double& out,
                Reply& error);

bool get_bool(const Json& args, std::string_view name, Arg presence, bool& out, Reply& error);
bool get_bool(const Json& args, std::string_view name, std::optional<bool>& out, Reply& error);

// One of `allowed` (exact spelling); the message lists them.
bool get_enum(const Json& args, std::string_view name, Arg presence, std::initializer_list<std::string_view> allowed,
              std::string& out, Reply& error);
bool get_enum(const Json& args, std::string_view name, std::initializer_list<std::string_view> allowed,
              std::optional<std::string>& out, Reply& error);

// An object of integers within [min, max], such as capacities {"calls": 100}; keys must be
// non-empty. A bad entry names itself ("args.capacity.calls").
bool get_integer_map(const Json& args, std::string_view name, Arg presence, int64_t min, int64_t max,
                     std::map<std::string, int64_t>& out, Reply& error);

}  // namespace siplb::control::api
