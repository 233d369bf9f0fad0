// Argument getters for command handlers (see api_args.hpp).
#include "api_args.hpp"

#include <cmath>
#include <limits>
#include <utility>

namespace siplb::control::api {

namespace {

// What the client sent, as JSON text, cut short so a huge value does not flood the message.
std::string shown(const Json& value) {
  constexpr std::size_t kMaxShown = 64;
  std::string text = value.dump(-1, ' ', false, Json::error_handler_t::replace);
  if (text.size() > kMaxShown) text = text.substr(0, kMaxShown) + "...";
  return text;
}

// The argument's value, or nullptr when absent or null. A missing required one fills `error`.
const Json* find_argument(const Json& args, std::string_view name, Arg presence, Reply& error, bool& ok) {
  ok = true;
  if (args.is_object()) {
    auto found = args.find(name);
    if (found != args.end() && !found->is_null()) return &*found;
  }
  if (presence == Arg::required) {
    error = bad_argument(name, "missing required argument \"" + std::string(name) + "\"");
    ok = false;
  }
  return nullptr;
}

std::string range_text(int64_t min, int64_t max) {
  if (max == std::numeric_limits<int64_t>::max()) return "an integer of at least " + std::to_string(min);
  return "an integer from " + std::to_string(min) + " to " + std::to_string(max);
}

// The value as an integer within [min, max], or a message saying why not.
bool integer_value(const Json& value, int64_t min, int64_t max, int64_t& out, std::string& why) {
  why = "must be " + range_text(min, max) + ", got " + shown(value);
  if (value.is_number_unsigned()) {
    uint64_t number = value.get<uint64_t>();
    if (number > static_cast<uint64_t>(max)) return false;
    out = static_cast<int64_t>(number);
  } else if (value.is_number_integer()) {
    out = value.get<int64_t>();
  } else if (value.is_number_float()) {
    // 5.0 is 5 to a script language that has only doubles; 5.5 is not an integer.
    double number = value.get<double>();
    if (std::trunc(number) != number || number < -9.2e18 || number > 9.2e18) return false;
    out = static_cast<int64_t>(number);
  } else {
    return false;
  }
  return out >= min && out <= max;
}

std::string list_of(std::initializer_list<std::string_view> names) {
  std::string text;
  for (auto name : names) {
    if (!text.empty()) text += ", ";
    text += name;
  }
  return text;
}

}  // namespace

std::string arg_field(std::string_view name) { return "args." + std::string(name); }

Reply bad_argument(std::string_view name, std::string message) {
  return Reply::failure(code::bad_argument, arg_field(name), std::move(message));
}

bool check_known(const Json& args, std::initializer_list<std::string_view> known, Reply& error) {
  if (!args.is_object()) {
    error = Reply::failure(code::bad_request, "args", std::string("\"args\" must be an object, got ") + args.type_name());
    return false;
  }
  for (const auto& [name, value] : args.items()) {
    bool listed = false;
    for (auto candidate : known) listed = listed || candidate == name;
    if (!listed) {
      std::string takes = known.size() == 0 ? "this command takes no arguments"
                                            : "this command takes: " + list_of(known);
      error = bad_argument(name, "unknown argument \"" + name + "\" (" + takes + ")");
      return false;
    }
  }
  return true;
}

bool get_string(const Json& args, std::string_view name, Arg presence, std::string& out, Reply& error) {
  bool ok = true;
  const Json* value = find_argument(args, name, presence, error, ok);
  if (!value) return ok;
  if (!value->is_string()) {
    error = bad_argument(name, "must be a string, got " + shown(*value));
    return false;
  }
  out = value->get<std::string>();
  return true;
}

bool get_string(const Json& args, std::string_view name, std::optional<std::string>& out, Reply& error) {
  std::string value;
  out.reset();
  bool ok = true;
  if (!find_argument(args, name, Arg::optional, error, ok)) return true;
  if (!get_string(args, name, Arg::required, value, error)) return false;
  out = std::move(value);
  return true;
}

bool get_integer(const Json& args, std::string_view name, Arg presence, int64_t min, int64_t max, int64_t& out,
                 Reply& error) {
  bool ok = true;
  const Json* value = find_argument(args, name, presence, error, ok);
  if (!value) return ok;
  int64_t number = 0;
  std::string why;
  if (!integer_value(*value, min, max, number, why)) {
    error = bad_argument(name, why);
    return false;
  }
  out = number;
  return true;
}

bool get_integer(const Json& args, std::string_view name, std::optional<int64_t>& out, int64_t min, int64_t max,
                 Reply& error) {
  out.reset();
  bool ok = true;
  if (!find_argument(args, name, Arg::optional, error, ok)) return true;
  int64_t number = 0;
  if (!get_integer(args, name, Arg::required, min, max, number, error)) return false;
  out = number;
  return true;
}

bool get_number(const Json& args, std::string_view name, Arg presence, double min, double max, double& out,
                Reply& error) {
  bool ok = true;
  const Json* value = find_argument(args, name, presence, error, ok);
  if (!value) return ok;
  auto format = [](double number) {
    Json as_json = number;
    return as_json.dump();
  };
  if (!value->is_number() || !(value->get<double>() >= min && value->get<double>() <= max)) {
    error = bad_argument(name, "must be a number from " + format(min) + " to " + format(max) + ", got " + shown(*value));
    return false;
  }
  out = value->get<double>();
  return true;
}

bool get_bool(const Json& args, std::string_view name, Arg presence, bool& out, Reply& error) {
  bool ok = true;
  const Json* value = find_argument(args, name, presence, error, ok);
  if (!value) return ok;
  if (!value->is_boolean()) {
    error = bad_argument(name, "must be true or false, got " + shown(*value));
    return false;
  }
  out = value->get<bool>();
  return true;
}

bool get_bool(const Json& args, std::string_view name, std::optional<bool>& out, Reply& error) {
  out.reset();
  bool ok = true;
  if (!find_argument(args, name, Arg::optional, error, ok)) return true;
  bool flag = false;
  if (!get_bool(args, name, Arg::required, flag, error)) return false;
  out = flag;
  return true;
}

bool get_enum(const Json& args, std::string_view name, Arg presence, std::initializer_list<std::string_view> allowed,
              std::string& out, Reply& error) {
  bool ok = true;
  const Json* value = find_argument(args, name, presence, error, ok);
  if (!value) return ok;
  if (value->is_string()) {
    const auto& text = value->get_ref<const std::string&>();
    for (auto candidate : allowed) {
      if (candidate == text) {
        out = text;
        return true;
      }
    }
  }
  error = bad_argument(name, "must be one of " + list_of(allowed) + "; got " + shown(*value));
  return false;
}

bool get_enum(const Json& args, std::string_view name, std::initializer_list<std::string_view> allowed,
              std::optional<std::string>& out, Reply& error) {
  out.reset();
  bool ok = true;
  if (!find_argument(args, name, Arg::optional, error, ok)) return true;
  std::string text;
  if (!get_enum(args, name, Arg::required, allowed, text, error)) return false;
  out = std::move(text);
  return true;
}

bool get_integer_map(const Json& args, std::string_view name, Arg presence, int64_t min, int64_t max,
                     std::map<std::string, int64_t>& out, Reply& error) {
  bool ok = true;
  const Json* value = find_argument(args, name, presence, error, ok);
  if (!value) return ok;
  if (!value->is_object()) {
    error = bad_argument(name, "must be an object of names to integers such as {\"calls\": 100}, got " + shown(*value));
    return false;
  }
  std::map<std::string, int64_t> entries;
  for (const auto& [key, entry] : value->items()) {
    std::string field = std::string(name) + "." + key;
    if (key.empty()) {
      error = bad_argument(name, "names must not be empty");
      return false;
    }
    int64_t number = 0;
    std::string why;
    if (!integer_value(entry, min, max, number, why)) {
      error = bad_argument(field, why);
      return false;
    }
    entries[key] = number;
  }
  out = std::move(entries);
  return true;
}

}  // namespace siplb::control::api
