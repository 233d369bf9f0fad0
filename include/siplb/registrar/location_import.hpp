// Import of an OpenSIPS/Kamailio usrloc `location` table kept as db_text, so that a registrar
// moving to siplb keeps its phones' bindings. Control thread only (start-up, the API): allocates,
// reads the file with ordinary blocking I/O.
//
// The file: a header line of "name(type[,flags])" columns, e.g. "id(int,auto) ruid(string)
// username(string) domain(string,null) contact(string) received(string,null) path(string,null)
// expires(int) q(double) callid(string) cseq(int) last_modified(int) ... instance(string,null)
// reg_id(int) ...", then one row a line, fields separated by ':' ("\:" a colon, "\\" "\n" "\r"
// "\t" escapes, 'quoted' strings taken verbatim), "null" or an empty field no value; blank lines and '#' lines
// skipped. Columns are found by name in any order; username, contact and expires are required,
// unknown columns ignored (ruid, flags, cflags, user_agent, socket, methods, ...).
//   AoR        username@domain (the domain lower-cased); a username holding '@' is the AoR itself;
//              a null/empty domain takes options.default_domain, and is an error without one
//   contact    the contact URI (surrounding <> removed), at most kMaxContactUri octets
//   expires    absolute expiry: Unix time (OpenSIPS) or 'YYYY-MM-DD HH:MM:SS' UTC (Kamailio's
//              datetime columns); rows already expired at options.now_ms are skipped and counted;
//              0 (a permanent binding, which siplb does not keep) is skipped and counted too
//   received   "sip:192.0.2.10:5062" (also sips:, [IPv6], ;params, no port: 5060) -> Binding::received
//   path, instance (OpenSIPS: sip_instance), callid (cut to kMaxCallIdText; hashed whole), cseq, q (-1: none), reg_id,
//   last_modified (Unix time or datetime -> updated_ms)
// Rows with the same AoR make one AorState, in order of first appearance; past kMaxContactsPerAor
// contacts an AoR keeps its most recently modified ones (the others counted in over_limit).
// Errors name the file, the line and the column and say why ("location:7: column 8 (expires):
// 'soon' is neither a Unix time nor 'YYYY-MM-DD HH:MM:SS'").
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "siplb/registrar/binding.hpp"

namespace siplb::registrar {

struct LocationImportOptions {
  std::string default_domain;  // for rows without a domain (usrloc use_domain = 0)
  int64_t now_ms = 0;          // rows expiring at or before this are skipped
};

struct LocationImportError {
  std::string source;   // the name given (the path for load_location_table)
  uint32_t line = 0;    // 1-based; 0 when the whole file is concerned (cannot be read, no header)
  uint32_t column = 0;  // 1-based column of the header; 0 when no one column is concerned
  std::string column_name;
  std::string reason;
  std::string message() const;  // "source:line: column N (name): reason"
};

struct LocationImport {
  std::vector<AorState> aors;
  std::size_t rows = 0;        // data rows read
  std::size_t imported = 0;    // bindings kept
  std::size_t expired = 0;     // rows already expired
  std::size_t permanent = 0;   // rows with expires 0
  std::size_t over_limit = 0;  // bindings given up past kMaxContactsPerAor
  std::optional<LocationImportError> error;  // set: nothing else is meaningful
};

LocationImport parse_location_table(std::string_view text, std::string_view source_name,
                                    const LocationImportOptions& options);
LocationImport load_location_table(const std::string& path, const LocationImportOptions& options);

}  // namespace siplb::registrar
