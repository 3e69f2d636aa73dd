// The header section of a CRLF message, kept byte for byte so that headers nobody touches
// leave exactly as they came.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace nullrelay {

// The largest header section nullrelay takes, its blank line included: sendmail refuses a
// message with more at submission, and pickup refuses rather than cut one (a field after the
// cut, a Bcc: say, would not be seen).
inline constexpr size_t kHeaderSectionLimit = 1024 * 1024;

// The length of the RFC 5322 field name that starts `line` (printable ASCII except ':', then
// ':'), or 0 when the line does not start a header field.
size_t field_name_length(std::string_view line);

struct HeaderField {
    std::string name;  // as written
    std::string raw;   // the whole field with its folded lines and final CRLF
    // The unfolded value, without the name, colon and leading white space.
    std::string value() const;
};

class HeaderBlock {
  public:
    // Splits `message` (CRLF lines) into header fields and the body. The header section ends
    // at the first empty line, or at the first line that is neither a field nor a
    // continuation (then the body starts with that line and no separator was present).
    static HeaderBlock parse(std::string_view message, size_t* body_offset);

    // True when `text` holds a complete header section (an empty line, or a line that cannot
    // belong to one), so parse() of it would not change with more input.
    static bool complete(std::string_view text);
    // The length of the complete header section at the start of `text` (its blank line
    // included, if it has one), or nullopt while it is not complete.
    static std::optional<size_t> section_size(std::string_view text);

    const std::vector<HeaderField>& fields() const { return fields_; }
    bool has(std::string_view name) const;
    std::optional<std::string> first_value(std::string_view name) const;
    std::vector<std::string> values(std::string_view name) const;
    bool has_prefix(std::string_view prefix) const;  // e.g. "Resent-"

    void remove(std::string_view name);
    // Appends "Name: value\r\n", always on a line of its own.
    void add(std::string_view name, std::string_view value);
    // The same at the top (trace fields: Received:).
    void prepend(std::string_view name, std::string_view value);
    void replace_value(size_t index, std::string_view value);

    // The fields, then the CRLF separator if the original had one or `force_separator`.
    std::string serialize(bool with_separator) const;
    bool had_separator() const { return had_separator_; }

  private:
    std::vector<HeaderField> fields_;
    bool had_separator_ = false;
};

}  // namespace nullrelay
