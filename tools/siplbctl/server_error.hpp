// How siplbctl reports an error answer from siplbd: "siplbctl: CODE: MESSAGE (field FIELD)" on
// stderr, the field part only when the server named one. Main thread.
#pragma once

#include <ostream>

#include "api_client.hpp"

namespace siplbctl {

inline void print_server_error(const ApiReply& reply, std::ostream& err) {
  err << "siplbctl: " << reply.error_code << ": " << reply.error_message;
  if (!reply.error_field.empty()) err << " (field " << reply.error_field << ")";
  err << '\n';
}

}  // namespace siplbctl
