// Names, wire values and the version order of replicated records (see record.hpp).
#include "record.hpp"

namespace siplb::control::replication {

std::string_view kind_name(Kind kind) {
  switch (kind) {
    case Kind::binding: return "binding";
    case Kind::dialog: return "dialog";
    case Kind::destination: return "destination";
  }
  return "unknown";
}

std::optional<Kind> kind_from_wire(uint8_t value) {
  switch (value) {
    case 1: return Kind::binding;
    case 2: return Kind::dialog;
    case 3: return Kind::destination;
    default: return std::nullopt;
  }
}

std::optional<Operation> operation_from_wire(uint8_t value) {
  switch (value) {
    case 1: return Operation::put;
    case 2: return Operation::erase;
    default: return std::nullopt;
  }
}

bool newer(const Version& incoming, const Version& stored) {
  if (incoming.counter != stored.counter) return incoming.counter > stored.counter;
  return incoming.origin > stored.origin;
}

}  // namespace siplb::control::replication
