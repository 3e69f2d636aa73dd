#include "mail/header_block.hpp"

#include <algorithm>

#include "util/text.hpp"

namespace nullrelay {

namespace {

bool is_continuation(std::string_view line) {
    return !line.empty() && (line[0] == ' ' || line[0] == '\t');
}

}  // namespace

size_t field_name_length(std::string_view line) {
    size_t i = 0;
    while (i < line.size() && line[i] > 32 && line[i] < 127 && line[i] != ':')
        ++i;
    if (i == 0 || i >= line.size() || line[i] != ':') return 0;
    return i;
}

std::string HeaderField::value() const {
    std::string_view v(raw);
    v.remove_prefix(std::min(v.size(), name.size() + 1));
    std::string out;
    out.reserve(v.size());
    for (char c : v)
        if (c != '\r' && c != '\n') out += c;
    return std::string(trim(out));
}

HeaderBlock HeaderBlock::parse(std::string_view message, size_t* body_offset) {
    HeaderBlock block;
    size_t pos = 0;
    while (pos < message.size()) {
        size_t eol = message.find("\r\n", pos);
        size_t next = eol == std::string_view::npos ? message.size() : eol + 2;
        std::string_view line = message.substr(pos, next - pos);
        if (line == "\r\n") {
            block.had_separator_ = true;
            pos = next;
            break;
        }
        if (is_continuation(line) && !block.fields_.empty()) {
            block.fields_.back().raw += line;
        } else if (size_t n = field_name_length(line); n > 0) {
            block.fields_.push_back({std::string(line.substr(0, n)), std::string(line)});
        } else {
            break;  // a body line with no separator before it
        }
        pos = next;
    }
    if (body_offset) *body_offset = pos;
    return block;
}

bool HeaderBlock::complete(std::string_view text) {
    size_t pos = 0;
    while (pos < text.size()) {
        size_t eol = text.find("\r\n", pos);
        if (eol == std::string_view::npos) return false;
        std::string_view line = text.substr(pos, eol + 2 - pos);
        if (line == "\r\n") return true;
        if (!is_continuation(line) && field_name_length(line) == 0) return true;
        pos = eol + 2;
    }
    return false;
}

std::optional<size_t> HeaderBlock::section_size(std::string_view text) {
    if (!complete(text)) return std::nullopt;
    size_t body = 0;
    parse(text, &body);
    return body;
}

bool HeaderBlock::has(std::string_view name) const {
    return std::any_of(fields_.begin(), fields_.end(),
                       [&](const HeaderField& f) { return iequals(f.name, name); });
}

bool HeaderBlock::has_prefix(std::string_view prefix) const {
    return std::any_of(fields_.begin(), fields_.end(),
                       [&](const HeaderField& f) { return istarts_with(f.name, prefix); });
}

std::optional<std::string> HeaderBlock::first_value(std::string_view name) const {
    for (const auto& f : fields_)
        if (iequals(f.name, name)) return f.value();
    return std::nullopt;
}

std::vector<std::string> HeaderBlock::values(std::string_view name) const {
    std::vector<std::string> out;
    for (const auto& f : fields_)
        if (iequals(f.name, name)) out.push_back(f.value());
    return out;
}

void HeaderBlock::remove(std::string_view name) {
    std::erase_if(fields_, [&](const HeaderField& f) { return iequals(f.name, name); });
}

void HeaderBlock::add(std::string_view name, std::string_view value) {
    // A last field without its line end (the end of a message that had no body) must not
    // swallow the new one.
    if (!fields_.empty() && !fields_.back().raw.ends_with("\r\n")) fields_.back().raw += "\r\n";
    fields_.push_back({std::string(name), std::string(name) + ": " + std::string(value) + "\r\n"});
}

void HeaderBlock::prepend(std::string_view name, std::string_view value) {
    fields_.insert(fields_.begin(),
                   {std::string(name), std::string(name) + ": " + std::string(value) + "\r\n"});
}

void HeaderBlock::replace_value(size_t index, std::string_view value) {
    HeaderField& f = fields_.at(index);
    f.raw = f.name + ": " + std::string(value) + "\r\n";
}

std::string HeaderBlock::serialize(bool with_separator) const {
    std::string out;
    for (const auto& f : fields_)
        out += f.raw;
    if (with_separator) out += "\r\n";
    return out;
}

}  // namespace nullrelay
