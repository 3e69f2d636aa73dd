#include "mail/content_type.hpp"

#include "util/text.hpp"

namespace nullrelay {

namespace {

class Reader {
  public:
    explicit Reader(std::string_view s) : s_(s) {}

    bool done() const { return i_ >= s_.size(); }
    char peek() const { return done() ? '\0' : s_[i_]; }
    void next() { ++i_; }

    // White space and (nested) comments.
    void skip_cfws() {
        while (!done()) {
            char c = s_[i_];
            if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
                ++i_;
            } else if (c == '(') {
                int depth = 0;
                while (!done()) {
                    char d = s_[i_++];
                    if (d == '\\') {
                        ++i_;
                    } else if (d == '(') {
                        ++depth;
                    } else if (d == ')' && --depth == 0) {
                        break;
                    }
                }
            } else {
                break;
            }
        }
    }

    // An RFC 2045 token: up to white space, a comment or a tspecial.
    std::string token() {
        size_t start = i_;
        while (!done() &&
               std::string_view(" \t\r\n()<>@,;:\\\"/[]?=").find(s_[i_]) == std::string_view::npos)
            ++i_;
        return std::string(s_.substr(start, i_ - start));
    }

    std::string quoted_string() {
        std::string out;
        ++i_;  // the opening quote
        while (!done() && s_[i_] != '"') {
            if (s_[i_] == '\\' && i_ + 1 < s_.size()) ++i_;
            if (s_[i_] != '\r' && s_[i_] != '\n') out += s_[i_];
            ++i_;
        }
        if (!done()) ++i_;
        return out;
    }

    // Skips to just after the next ';' outside quotes (a parameter that could not be read).
    void skip_parameter() {
        while (!done() && s_[i_] != ';') {
            if (s_[i_] == '"')
                quoted_string();
            else
                ++i_;
        }
        if (!done()) ++i_;
    }

  private:
    std::string_view s_;
    size_t i_ = 0;
};

}  // namespace

ContentType parse_content_type(std::string_view value) {
    ContentType ct;
    Reader r(value);
    r.skip_cfws();
    std::string type = to_lower(r.token());
    r.skip_cfws();
    if (r.peek() != '/') return ct;
    r.next();
    r.skip_cfws();
    std::string subtype = to_lower(r.token());
    if (type.empty() || subtype.empty()) return ct;
    ct.type = std::move(type);
    ct.subtype = std::move(subtype);
    bool have_boundary = false;
    for (;;) {
        r.skip_cfws();
        if (r.done()) break;
        if (r.peek() != ';') {
            r.skip_parameter();
            continue;
        }
        r.next();
        r.skip_cfws();
        std::string name = to_lower(r.token());
        r.skip_cfws();
        if (r.peek() != '=') {
            r.skip_parameter();
            continue;
        }
        r.next();
        r.skip_cfws();
        std::string v = r.peek() == '"' ? r.quoted_string() : r.token();
        if (name == "charset") ct.has_charset = true;
        if (name == "boundary" && !have_boundary) {  // the first one counts, as in Python
            have_boundary = true;
            while (!v.empty() && (v.back() == ' ' || v.back() == '\t'))
                v.pop_back();
            ct.boundary = std::move(v);
        }
    }
    return ct;
}

std::string parse_transfer_encoding(std::string_view value) {
    Reader r(value);
    r.skip_cfws();
    return to_lower(r.token());
}

}  // namespace nullrelay
