// Quoted-printable (RFC 2045 §6.7) as a stream: the encoder that makes a text part 7-bit with
// short lines, and the repair of a body already labelled quoted-printable that is not.
//
// Output lines are at most 76 characters (soft breaks "=" CRLF), never split an "=XX". A '.'
// or '-' that would start an output line is encoded (=2E, =2D): no line of ours can end the
// SMTP data on a transport that does not dot-stuff, or look like a MIME boundary ("--...").
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace nullrelay {

// Encodes text whose line breaks are CRLF: each CRLF is a hard line break, every other byte
// is data (a CR or LF on its own is encoded). Trailing white space of a line is encoded.
class QuotedPrintableEncoder {
  public:
    void feed(std::string_view in, std::string& out);
    // Ends the text: the last line is written without a line break of its own.
    void finish(std::string& out);

  private:
    void put(std::string_view token, std::string& out);
    void put_byte(unsigned char c, std::string& out);
    void flush_space(bool line_ends, std::string& out);

    size_t column_ = 0;     // characters on the current output line
    char held_space_ = 0;   // a space or tab not yet written: literal, or encoded at line end
    bool held_cr_ = false;  // a CR that may start a CRLF
};

// Makes a body labelled quoted-printable 7-bit with lines of at most 76 characters without
// changing what it decodes to: an 8-bit octet becomes =XX, a '=' that starts no valid escape
// or soft break becomes =3D, long lines get soft breaks, and a '.' or '-' that starts a line is
// encoded as above. Everything else is kept as it is.
class QuotedPrintableRepair {
  public:
    void feed(std::string_view in, std::string& out);
    void finish(std::string& out);

  private:
    void put(std::string_view token, std::string& out);

    size_t column_ = 0;
    std::string escape_;  // "=" and maybe a hex digit, until it is known what they are
    bool held_cr_ = false;
};

}  // namespace nullrelay
