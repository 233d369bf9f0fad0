// The header lines a registrar adds to its answers to REGISTER (RFC 3261 10.3 step 8): one Contact
// per live binding with the seconds it has left, Date, the Path echo (RFC 3327 5.3), and
// Min-Expires for 423. Written into a caller buffer: no allocation, no syscall, no locale (the
// date is computed from the Unix time by civil-from-days arithmetic, not gmtime): any thread.
// Every function returns the octets written, or 0 when `capacity` is too small (then nothing
// useful is in the buffer; a function with nothing to write also returns 0, so callers compare
// with what they expect, or use write_register_reply's bool).
#pragma once

#include <cstddef>
#include <cstdint>

#include "siplb/registrar/binding.hpp"
#include "siplb/registrar/register.hpp"
#include "siplb/sip/message.hpp"

namespace siplb::registrar {

// "Contact: <uri>;expires=N[;q=0.5][;+sip.instance=...][;reg-id=N]\r\n" per live binding.
std::size_t write_contact_lines(const AorState& state, int64_t now_ms, char* out, std::size_t capacity);

// "Date: Sun, 06 Dec 2026 06:30:00 GMT\r\n" (RFC 1123 date, RFC 3261 20.17) for now_ms.
std::size_t write_date_line(int64_t now_ms, char* out, std::size_t capacity);
inline constexpr std::size_t kDateLineSize = 37;

// "Min-Expires: N\r\n".
std::size_t write_min_expires_line(uint32_t seconds, char* out, std::size_t capacity);

// "Path: v1,v2\r\n" with every Path value of the request; 0 octets when it has none.
std::size_t write_path_line(const sip::Message& request, char* out, std::size_t capacity);

// Everything the answer to a REGISTER adds for `result`: 200 -> Contact lines of `next`, Date and
// the Path echo of `request`; 423 -> Min-Expires; other codes nothing. False when `capacity` is too
// small; `written` is then 0.
bool write_register_reply(const RegisterResult& result, const AorState& next, const sip::Message& request,
                          int64_t now_ms, char* out, std::size_t capacity, std::size_t& written);

}  // namespace siplb::registrar
