// What the HA pair replicates: one change to replicated state (a record) and the version order
// that lets a receiver refuse a late or repeated change.
//
// Owns: plain value types and the pure newer() rule; no state, no threads (any thread may use them).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace siplb::control::replication {

// Which table a record belongs to. Values are on the wire: append new kinds, never renumber.
enum class Kind : uint8_t { binding = 1, dialog = 2, destination = 3 };
enum class Operation : uint8_t { put = 1, erase = 2 };

std::string_view kind_name(Kind kind);            // "binding", "dialog", "destination"
std::optional<Kind> kind_from_wire(uint8_t value);  // nullopt for a value this build does not know
std::optional<Operation> operation_from_wire(uint8_t value);

// Who made a change and when, in the origin's own order (a counter or a clock the origin keeps).
struct Version {
  uint64_t counter = 0;
  uint32_t origin = 0;  // node id of the node that made the change
  friend bool operator==(const Version&, const Version&) = default;
};

// True when `incoming` should replace `stored`: a higher counter wins; on equal counters the
// higher origin node id wins, so both nodes of the pair settle on the same record whatever order
// the changes arrive in. An identical version is not newer (a repeated record is refused).
// The caller keeps the stored versions (alongside its own state).
bool newer(const Version& incoming, const Version& stored);

struct Record {
  Kind kind = Kind::binding;
  Operation operation = Operation::put;
  std::string key;    // bytes
  std::string value;  // bytes; empty for erase
  Version version;

  static Record put(Kind kind, std::string key, std::string value, Version version) {
    return Record{kind, Operation::put, std::move(key), std::move(value), version};
  }
  static Record erase(Kind kind, std::string key, Version version) {
    return Record{kind, Operation::erase, std::move(key), {}, version};
  }
  friend bool operator==(const Record&, const Record&) = default;
};

}  // namespace siplb::control::replication
