// Loads a SubscriberTable from an OpenSIPS/Kamailio db_text `subscriber` table or a TOML list, so
// an existing registrar's users move over unchanged. Control thread only (start-up, reload):
// allocates, reads files with blocking I/O. Stops at the first error, which names the source, the
// line and the field: "subscribers:3: column 'ha1': '12x' is not 32 hex digits".
//
// db_text: the first line is the header, "name(type[,flags])" columns separated by blanks, e.g.
//   id(int,auto) username(string) domain(string) password(string) email_address(string)
//   ha1(string) ha1b(string) rpid(string,null)
// then one row a line: fields separated by ':', "\:" "\\" "\n" "\r" "\t" escapes, 'quoted'
// strings, "null" or an empty field meaning no value. Columns by name, any order: username
// (required), domain (required unless a default domain is given), password, ha1, ha1b,
// ha1_sha256, ha1b_sha256; others are ignored. Blank lines and '#' comments are skipped.
//
// TOML: an array of tables, nothing else:
//   [[subscriber]]
//   username = "alice"
//   domain = "example.com"
//   password = "secret"          # or ha1 / ha1b / ha1_sha256 / ha1b_sha256 = "<hex>"
//
// A row needs a password or one of the ha1 values; a (username, domain) given twice is an error.
#pragma once

#include <string>
#include <string_view>

#include "siplb/auth/subscriber.hpp"

namespace siplb::auth {

enum class SubscriberFormat { detect, db_text, toml };

struct SubscriberLoadOptions {
  SubscriberFormat format = SubscriberFormat::detect;  // detect: ".toml" or the text's first line
  std::string default_domain;  // for db_text tables without a domain column or with a null one
};

struct SubscriberLoad {
  SubscriberTable table;
  std::string error;  // empty on success; then table holds every row
  bool ok() const { return error.empty(); }
};

// `source_name` names the text in errors (the path for load_subscribers).
SubscriberLoad parse_subscribers(std::string_view text, std::string_view source_name,
                                 const SubscriberLoadOptions& options = {});
SubscriberLoad load_subscribers(const std::string& path, const SubscriberLoadOptions& options = {});

}  // namespace siplb::auth
