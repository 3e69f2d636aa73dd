#include "mail/mime_downgrade.hpp"

#include <algorithm>
#include <bit>
#include <cstring>

#include <fmt/format.h>

#include "mail/base64.hpp"
#include "mail/charset.hpp"
#include "mail/content_type.hpp"
#include "mail/header_block.hpp"
#include "mail/header_downgrade.hpp"
#include "mail/quoted_printable.hpp"
#include "util/text.hpp"

namespace nullrelay {

namespace {

// What the second pass does with a part; one entry per part, in the order parts start.
enum class Body : std::uint8_t { keep, quoted_printable, base64, repair_qp, rewrap_base64 };
enum class Label : std::uint8_t { none, utf8, unknown_8bit };

struct PartPlan {
    Body body = Body::keep;
    Label charset = Label::none;  // added to a text part that declares none
    bool changed = false;         // something in this part or below it changes
    bool as_global = false;       // message/rfc822 sent as message/global in base64
    bool preamble = false;        // multipart: its preamble, epilogue QP-encoded
    bool epilogue = false;
};

enum class Shape : std::uint8_t { leaf, multipart, message };
enum class Phase : std::uint8_t { preamble, parts, epilogue };
enum class Region : std::uint8_t { none, body, preamble, epilogue };
enum class Hold : std::uint8_t { none, header, candidate };

// One open part, from its header to its end.
struct Entity {
    std::uint32_t index = 0;
    Shape shape = Shape::leaf;
    Phase phase = Phase::preamble;
    bool root = false;    // its header is a message header: the message or an attached one
    bool digest = false;  // multipart/digest: its parts are message/rfc822 by default
    // From the header, for the first pass's decision at the end of the body.
    bool text = false;        // quoted-printable suits it (text/*, message/* but global)
    bool plain_text = false;  // text/*: a charset label applies
    bool charset_ok = true;   // it declares a charset, or its Content-Type cannot take one
    std::string cte;
    std::string delimiter;  // multipart: "--" boundary
};

// One stretch of body text (a leaf's body, a preamble, an epilogue), in the first pass.
struct Stats {
    std::uint64_t bytes = 0;
    std::uint64_t high = 0;  // octets over 127
    bool long_line = false;
    Utf8Validator utf8;
    bool needs_change() const { return high > 0 || long_line; }
};

const std::vector<HeaderField> kNoFields;

std::uint64_t count_high(std::string_view s) {
    std::uint64_t n = 0;
    size_t i = 0;
    for (; i + 8 <= s.size(); i += 8) {
        std::uint64_t w;
        std::memcpy(&w, s.data() + i, 8);
        n += static_cast<std::uint64_t>(std::popcount(w & 0x8080808080808080ULL));
    }
    for (; i < s.size(); ++i)
        n += static_cast<unsigned char>(s[i]) >> 7;
    return n;
}

std::string_view label_text(Label l) {
    return l == Label::utf8 ? "utf-8" : "unknown-8bit";
}

// The first Content-Type field with a charset parameter added on a line of its own.
std::string with_charset(std::string raw, Label label) {
    while (!raw.empty() && (raw.back() == '\n' || raw.back() == '\r' || raw.back() == ' ' ||
                            raw.back() == '\t' || raw.back() == ';'))
        raw.pop_back();
    return fmt::format("{};\r\n\tcharset={}\r\n", raw, label_text(label));
}

// Content-Type: message/rfc822 ... as message/global, parameters kept.
std::string as_global_type(const std::string& raw, size_t name_length) {
    std::string lower = to_lower(raw);
    size_t pos = lower.find("rfc822", name_length + 1);
    if (pos == std::string::npos) return raw.substr(0, name_length) + ": message/global\r\n";
    std::string out = raw;
    out.replace(pos, 6, "global");
    return out;
}

std::string ended(std::string raw) {
    if (!raw.ends_with('\n')) raw += "\r\n";
    return raw;
}

}  // namespace

class MimeDowngrade::Walker {
  public:
    explicit Walker(MimeLimits limits) : limits_(limits) { reset(); }

    // `echo`: the first pass copies its input to `out`.
    void feed(std::string_view in, std::string& out, bool echo = true);
    void finish(std::string& out);
    void start_conversion() {
        converting_ = true;
        reset();
    }

    MimeLimits limits_;
    bool converting_ = false;
    bool structure_only_ = false;  // scan(): the limits only, not what needs converting
    bool stopped_ = false;         // a limit was hit: the first pass only passes bytes on
    std::optional<Error> error_;
    std::optional<Unsendable> unsendable_;
    std::vector<PartPlan> plan_;

  private:
    void reset();
    void fail(std::string message);
    void push_entity(bool root);
    const PartPlan& plan_at(std::uint32_t index) const;

    void scan_to_end(std::string_view rest);
    void begin_line(char first, std::string& out);
    void body_run(std::string_view run, bool ends_line, std::string& out);
    void complete_held_line(std::string& out);
    void bound_hold(std::string& out);
    void header_line(const std::string& line, std::string_view content, std::string_view eol,
                     std::string& out);
    void body_line(std::string_view content, std::string_view eol, std::string& out);
    void end_header(std::string_view blank, std::string& out);
    void emit_header(const Entity& e, const PartPlan& p, Shape shape, bool ct_typed, bool ct_seen,
                     bool ct_charset, bool has_mime_version, std::string_view blank,
                     std::string& out);
    void cannot_encode(const FieldDowngrade& d);
    struct Match {
        size_t level;
        bool close;
    };
    std::optional<Match> match_delimiter(std::string_view content) const;
    void delimiter(const Match& m, const std::string& line, std::string& out);
    void close_step(std::string& out);
    // Second pass: bytes that go out as they came (into the base64 of a message/global).
    void emit(std::string_view bytes, std::string& out);
    bool opaque() const { return opaque_level_ != kNone; }

    void begin_region(Region r);
    void end_region(std::string& out);
    void region_data(std::string_view data, std::string& out);
    void flush_pending_eol(std::string& out);

    std::uint32_t next_index_ = 0;  // second pass: the plan entry of the next part
    std::vector<Entity> stack_;
    bool in_header_ = true;
    std::vector<HeaderField> fields_;
    size_t header_bytes_ = 0;
    std::string hold_;  // a header line, or a body line that may be a delimiter
    Hold holding_ = Hold::none;
    bool line_start_ = true;
    bool held_cr_ = false;     // a body run ended in CR: maybe half of a CRLF
    std::string pending_eol_;  // a body line's line break: the content's, or the delimiter's
    std::uint64_t line_length_ = 0;
    size_t active_delimiters_ = 0;
    size_t depth_ = 0;  // multiparts and attached messages open

    Region region_ = Region::none;
    Stats stats_;
    Body action_ = Body::keep;
    QuotedPrintableEncoder qp_;
    QuotedPrintableRepair repair_;
    Base64LineEncoder b64_;
    Base64Rewrap rewrap_;
    // Second pass: the stack level of the attached message being sent as message/global.
    // What is inside it is walked as in the first pass (so that it ends where it ended
    // there), but goes out unchanged, into opaque_b64_.
    static constexpr size_t kNone = static_cast<size_t>(-1);
    size_t opaque_level_ = kNone;
    Base64LineEncoder opaque_b64_;
    bool wrote_ = false;  // second pass: something was written; last_ is its last byte
    char last_ = 0;
};

void MimeDowngrade::Walker::reset() {
    next_index_ = 0;
    stack_.clear();
    fields_.clear();
    header_bytes_ = 0;
    hold_.clear();
    holding_ = Hold::none;
    line_start_ = true;
    held_cr_ = false;
    pending_eol_.clear();
    line_length_ = 0;
    active_delimiters_ = 0;
    depth_ = 0;
    region_ = Region::none;
    opaque_level_ = kNone;
    opaque_b64_ = {};
    wrote_ = false;
    push_entity(true);
}

void MimeDowngrade::Walker::fail(std::string message) {
    if (!error_) error_ = Error{EX_DATAERR, std::move(message)};
    stopped_ = true;
}

void MimeDowngrade::Walker::push_entity(bool root) {
    Entity e;
    e.root = root;
    if (!converting_) {
        if (plan_.size() > limits_.max_parts) {
            fail(fmt::format("the message has more than {} MIME parts (the limit)",
                             limits_.max_parts));
            return;
        }
        e.index = static_cast<std::uint32_t>(plan_.size());
        plan_.emplace_back();
    } else {
        e.index = next_index_++;
    }
    stack_.push_back(std::move(e));
    in_header_ = true;
    fields_.clear();
    header_bytes_ = 0;
}

const PartPlan& MimeDowngrade::Walker::plan_at(std::uint32_t index) const {
    static const PartPlan none;
    return index < plan_.size() ? plan_[index] : none;
}

void MimeDowngrade::Walker::feed(std::string_view in, std::string& out, bool echo) {
    if (!converting_ && echo) out.append(in);
    const size_t before = out.size();
    size_t i = 0;
    while (i < in.size() && !stopped_) {
        if (!converting_ && !in_header_ && holding_ == Hold::none && active_delimiters_ == 0 &&
            region_ == Region::body) {
            // A body nothing can end but the end of the message (the common case for a large
            // message): the first pass looks at the rest of the input at once.
            scan_to_end(in.substr(i));
            break;
        }
        if (line_start_) begin_line(in[i], out);
        size_t nl = in.find('\n', i);
        size_t end = nl == std::string_view::npos ? in.size() : nl + 1;
        if (holding_ != Hold::none) {
            hold_.append(in.data() + i, end - i);
            i = end;
            if (nl != std::string_view::npos) {
                line_start_ = true;
                complete_held_line(out);
            } else {
                bound_hold(out);
            }
        } else {
            std::string_view run = in.substr(i, end - i);
            i = end;
            if (nl != std::string_view::npos) line_start_ = true;
            body_run(run, nl != std::string_view::npos, out);
        }
    }
    if (converting_ && out.size() > before) {
        wrote_ = true;
        last_ = out.back();
    }
}

void MimeDowngrade::Walker::finish(std::string& out) {
    if (stopped_) return;
    const size_t before = out.size();
    if (holding_ != Hold::none && !hold_.empty()) {
        complete_held_line(out);  // the last line, without a line break
    } else if (held_cr_) {
        held_cr_ = false;
        region_data("\r", out);
    }
    // Nothing follows the last line break: it is content, no delimiter's.
    flush_pending_eol(out);
    while (!stack_.empty() && !stopped_)
        close_step(out);
    if (converting_) {
        if (out.size() > before) {
            wrote_ = true;
            last_ = out.back();
        }
        if (wrote_ && last_ != '\n') out += "\r\n";  // a message ends with a line break
    }
}

void MimeDowngrade::Walker::scan_to_end(std::string_view rest) {
    if (structure_only_) return;  // nothing in it can change the structure
    stats_.bytes += rest.size();
    const std::uint64_t high = count_high(rest);
    if (high > 0 || !stats_.utf8.valid()) stats_.utf8.feed(rest);
    stats_.high += high;
    // Line lengths, without the CR of a CRLF (a CR held from the last piece counts as one
    // octet of its line until it turns out to end it).
    bool cr = held_cr_;
    size_t pos = 0;
    for (;;) {
        size_t nl = rest.find('\n', pos);
        if (nl == std::string_view::npos) break;
        std::uint64_t length = line_length_ + (cr ? 1 : 0) + (nl - pos);
        bool ends_cr = nl > pos ? rest[nl - 1] == '\r' : cr;
        if (length - (ends_cr ? 1 : 0) > kMaxLineLength) stats_.long_line = true;
        line_length_ = 0;
        cr = false;
        pos = nl + 1;
    }
    std::string_view tail = rest.substr(pos);
    line_start_ = tail.empty() && (pos > 0 || line_start_);
    if (!tail.empty()) {
        line_length_ += (cr ? 1 : 0) + tail.size();
        cr = tail.back() == '\r';
        if (cr) --line_length_;
    }
    held_cr_ = cr;
    if (line_length_ > kMaxLineLength) stats_.long_line = true;
}

void MimeDowngrade::Walker::begin_line(char first, std::string& out) {
    line_start_ = false;
    line_length_ = 0;
    if (in_header_) {
        holding_ = Hold::header;
    } else if (active_delimiters_ > 0 && first == '-') {
        holding_ = Hold::candidate;
    } else {
        holding_ = Hold::none;
        flush_pending_eol(out);  // a line that is no delimiter: the last line break is content
    }
}

void MimeDowngrade::Walker::body_run(std::string_view run, bool ends_line, std::string& out) {
    if (!ends_line) {
        if (held_cr_) {  // the CR before was not the start of a CRLF
            held_cr_ = false;
            ++line_length_;
            region_data("\r", out);
        }
        if (run.ends_with('\r')) {
            run.remove_suffix(1);
            held_cr_ = true;
        }
        line_length_ += run.size();
        region_data(run, out);
        return;
    }
    std::string_view content = run.substr(0, run.size() - 1);
    std::string_view eol = "\n";
    if (content.empty() && held_cr_) {
        eol = "\r\n";
    } else {
        if (held_cr_) {
            ++line_length_;
            region_data("\r", out);
        }
        if (content.ends_with('\r')) {
            content.remove_suffix(1);
            eol = "\r\n";
        }
    }
    held_cr_ = false;
    line_length_ += content.size();
    region_data(content, out);
    if (line_length_ > kMaxLineLength) stats_.long_line = true;
    pending_eol_ = eol;
}

void MimeDowngrade::Walker::body_line(std::string_view content, std::string_view eol,
                                      std::string& out) {
    flush_pending_eol(out);
    line_length_ = content.size();
    region_data(content, out);
    if (line_length_ > kMaxLineLength) stats_.long_line = true;
    pending_eol_ = eol;
}

void MimeDowngrade::Walker::complete_held_line(std::string& out) {
    std::string line = std::move(hold_);
    hold_.clear();
    const Hold kind = holding_;
    holding_ = Hold::none;
    std::string_view content(line), eol;
    if (content.ends_with('\n')) {
        content.remove_suffix(1);
        eol = "\n";
        if (content.ends_with('\r')) {
            content.remove_suffix(1);
            eol = "\r\n";
        }
    }
    // A delimiter line goes on the wire as it is: one over 998 octets (blanks after the
    // boundary) is taken as text, and re-encoded with its part.
    if (active_delimiters_ > 0 && content.starts_with("--") && content.size() <= kMaxLineLength)
        if (auto m = match_delimiter(content)) {
            delimiter(*m, line, out);
            return;
        }
    if (kind == Hold::header)
        header_line(line, content, eol, out);
    else
        body_line(content, eol, out);
}

void MimeDowngrade::Walker::bound_hold(std::string& out) {
    if (holding_ == Hold::candidate) {
        // Not "--", or longer than any delimiter line: an ordinary line after all.
        if ((hold_.size() >= 2 && hold_[1] != '-') || hold_.size() > kMaxLineLength + 2) {
            std::string start = std::move(hold_);
            hold_.clear();
            holding_ = Hold::none;
            flush_pending_eol(out);
            body_run(start, false, out);
        }
    } else if (holding_ == Hold::header && header_bytes_ + hold_.size() > kMaxMimeHeaderSection) {
        // The header section ends here; the line being read starts the body.
        std::string start = std::move(hold_);
        hold_.clear();
        holding_ = Hold::none;
        end_header("", out);
        if (stopped_) return;
        if (in_header_) {  // an attached message: its header starts with this line
            holding_ = Hold::header;
            hold_ = std::move(start);
            bound_hold(out);
        } else {
            flush_pending_eol(out);
            body_run(start, false, out);
        }
    }
}

void MimeDowngrade::Walker::header_line(const std::string& line, std::string_view content,
                                        std::string_view eol, std::string& out) {
    if (content.empty()) {
        end_header(eol, out);
        return;
    }
    if (size_t n = field_name_length(content); n > 0) {
        fields_.push_back({std::string(content.substr(0, n)), line});
        header_bytes_ += line.size();
        return;
    }
    if ((content[0] == ' ' || content[0] == '\t') && !fields_.empty()) {
        fields_.back().raw += line;
        header_bytes_ += line.size();
        return;
    }
    // A line that belongs to no header field: the header section ends without a blank line,
    // and this line is the first of what follows.
    end_header("", out);
    if (stopped_) return;
    if (in_header_)
        header_line(line, content, eol, out);  // the header of an attached message
    else
        body_line(content, eol, out);
}

std::optional<MimeDowngrade::Walker::Match> MimeDowngrade::Walker::match_delimiter(
    std::string_view content) const {
    while (!content.empty() && (content.back() == ' ' || content.back() == '\t'))
        content.remove_suffix(1);
    // The innermost multipart first; a delimiter of an outer one ends the inner ones too
    // (as in Python's email package).
    for (size_t k = stack_.size(); k-- > 0;) {
        const Entity& e = stack_[k];
        if (e.shape != Shape::multipart || e.phase == Phase::epilogue) continue;
        if (!content.starts_with(e.delimiter)) continue;
        std::string_view rest = content.substr(e.delimiter.size());
        if (rest.empty()) return Match{k, false};
        if (rest == "--") return Match{k, true};
    }
    return std::nullopt;
}

void MimeDowngrade::Walker::delimiter(const Match& m, const std::string& line, std::string& out) {
    while (stack_.size() > m.level + 1 && !stopped_)
        close_step(out);
    if (stopped_) return;
    Entity& e = stack_.back();
    if (e.phase == Phase::preamble) end_region(out);
    if (converting_) {
        emit(pending_eol_, out);  // the line break before a delimiter is part of it
        emit(line, out);
    }
    pending_eol_.clear();
    if (!m.close) {
        e.phase = Phase::parts;
        push_entity(false);
    } else {
        e.phase = Phase::epilogue;
        --active_delimiters_;
        begin_region(Region::epilogue);
    }
}

void MimeDowngrade::Walker::close_step(std::string& out) {
    if (in_header_) {
        end_header("", out);
        return;
    }
    end_region(out);
    const Entity& e = stack_.back();
    if (e.shape == Shape::multipart && e.phase != Phase::epilogue) --active_delimiters_;
    if (e.shape != Shape::leaf) --depth_;
    if (!converting_) {
        const PartPlan& p = plan_[e.index];
        if (stack_.size() >= 2 && p.changed) plan_[stack_[stack_.size() - 2].index].changed = true;
    } else if (opaque_level_ == stack_.size() - 1) {
        opaque_b64_.finish(
            out);  // the message/global ends; the line break after is the delimiter's
        opaque_level_ = kNone;
    }
    stack_.pop_back();
}

void MimeDowngrade::Walker::emit(std::string_view bytes, std::string& out) {
    if (opaque())
        opaque_b64_.feed(bytes, out);
    else
        out.append(bytes);
}

void MimeDowngrade::Walker::cannot_encode(const FieldDowngrade& d) {
    // Inside an attached message, the attachment can go as message/global in base64: the
    // nearest one around this header (never the part whose header this is).
    for (size_t k = stack_.size() - 1; k-- > 0;) {
        if (stack_[k].shape == Shape::message) {
            PartPlan& p = plan_[stack_[k].index];
            p.as_global = true;
            p.changed = true;
            return;
        }
    }
    if (!unsendable_) unsendable_ = Unsendable{d.status, d.problem};
}

void MimeDowngrade::Walker::end_header(std::string_view blank, std::string& out) {
    ContentType ct;
    std::string cte;
    bool ct_seen = false, cte_seen = false, has_mime_version = false;
    for (const HeaderField& f : fields_) {
        if (!ct_seen && iequals(f.name, "Content-Type")) {
            ct = parse_content_type(f.value());
            ct_seen = true;
        } else if (!cte_seen && iequals(f.name, "Content-Transfer-Encoding")) {
            cte = parse_transfer_encoding(f.value());
            cte_seen = true;
        } else if (iequals(f.name, "MIME-Version")) {
            has_mime_version = true;
        }
    }
    const bool typed = !ct.type.empty();
    if (!typed) {
        const bool in_digest = stack_.size() >= 2 && stack_[stack_.size() - 2].digest;
        ct.type = in_digest ? "message" : "text";
        ct.subtype = in_digest ? "rfc822" : "plain";
    }
    const bool identity = cte.empty() || cte == "7bit" || cte == "8bit" || cte == "binary";
    Shape shape = Shape::leaf;
    if (ct.type == "multipart" && !ct.boundary.empty())
        shape = Shape::multipart;
    else if (ct.is("message", "rfc822") && identity)
        shape = Shape::message;

    Entity& e = stack_.back();
    e.digest = ct.is("multipart", "digest");
    e.text = ct.type == "text" || (ct.type == "message" && ct.subtype != "global");
    e.plain_text = ct.type == "text";
    // A charset can be added when there is no Content-Type (text/plain is implied) or a
    // readable one without it.
    e.charset_ok = ct.has_charset || (ct_seen && !typed);
    e.cte = cte;

    if (!converting_) {
        if (shape != Shape::leaf && depth_ + 1 > limits_.max_depth) {
            fail(fmt::format("MIME parts are nested more than {} deep (the limit)",
                             limits_.max_depth));
            return;
        }
        if (shape == Shape::multipart && ct.boundary.size() > kMaxBoundaryLength) {
            fail(fmt::format("a MIME boundary is longer than {} characters (the limit)",
                             kMaxBoundaryLength));
            return;
        }
        for (const HeaderField& f : structure_only_ ? kNoFields : fields_) {
            FieldDowngrade d = downgrade_header_field(f);
            if (d.outcome == FieldDowngrade::Outcome::rewritten)
                plan_[e.index].changed = true;
            else if (d.outcome == FieldDowngrade::Outcome::impossible)
                cannot_encode(d);
        }
    } else if (opaque()) {
        for (const HeaderField& f : fields_)
            emit(f.raw, out);
        emit(blank, out);
    } else {
        const PartPlan& p = plan_at(e.index);
        emit_header(e, p, shape, typed, ct_seen, ct.has_charset, has_mime_version, blank, out);
        if (p.as_global) {
            opaque_level_ = stack_.size() - 1;
            opaque_b64_ = {};
        }
    }
    e.shape = shape;
    fields_.clear();
    header_bytes_ = 0;
    in_header_ = false;
    switch (shape) {
        case Shape::leaf:
            begin_region(Region::body);
            break;
        case Shape::multipart:
            ++depth_;
            e.delimiter = "--" + ct.boundary;
            e.phase = Phase::preamble;
            ++active_delimiters_;
            begin_region(Region::preamble);
            break;
        case Shape::message:
            ++depth_;
            push_entity(true);
            break;
    }
}

void MimeDowngrade::Walker::emit_header(const Entity& e, const PartPlan& p, Shape shape,
                                        bool ct_typed, bool ct_seen, bool ct_charset,
                                        bool has_mime_version, std::string_view blank,
                                        std::string& out) {
    const bool leaf = shape == Shape::leaf;
    const Body body = p.as_global ? Body::base64 : (leaf ? p.body : Body::keep);
    const bool new_cte = body == Body::quoted_printable || body == Body::base64;
    // Once converted, nothing in the message is 8-bit: an "8bit" or "binary" label on what
    // is kept would no longer be true (this runs in the second pass only).
    const bool relabel = body == Body::keep;
    bool first_ct = true;
    for (const HeaderField& f : fields_) {
        if (iequals(f.name, "Content-Transfer-Encoding")) {
            if (new_cte) continue;  // replaced below
            std::string v = parse_transfer_encoding(f.value());
            if (relabel && (v == "8bit" || v == "binary")) {
                out += f.name + ": 7bit\r\n";
                continue;
            }
        }
        FieldDowngrade d = downgrade_header_field(f);
        std::string raw =
            d.outcome == FieldDowngrade::Outcome::rewritten ? std::move(d.raw) : ended(f.raw);
        if (first_ct && iequals(f.name, "Content-Type")) {
            first_ct = false;
            if (p.as_global)
                raw = as_global_type(raw, f.name.size());
            else if (leaf && p.charset != Label::none && ct_typed && !ct_charset)
                raw = with_charset(std::move(raw), p.charset);
        }
        out += raw;
    }
    if (e.root && p.changed && !has_mime_version) out += "MIME-Version: 1.0\r\n";
    if (leaf && !ct_seen && p.charset != Label::none)
        out += fmt::format("Content-Type: text/plain; charset={}\r\n", label_text(p.charset));
    if (new_cte)
        out += body == Body::base64 ? "Content-Transfer-Encoding: base64\r\n"
                                    : "Content-Transfer-Encoding: quoted-printable\r\n";
    // Without a blank line the body began with a line no header field could be; once
    // re-encoded it needs the separator.
    if (blank.empty() && (p.as_global || (leaf && body != Body::keep)))
        out += "\r\n";
    else
        out += blank;
}

void MimeDowngrade::Walker::begin_region(Region r) {
    region_ = r;
    if (!converting_) {
        stats_ = Stats{};
        return;
    }
    const PartPlan& p = plan_at(stack_.back().index);
    switch (r) {
        case Region::body:
            action_ = p.body;
            break;
        case Region::preamble:
            action_ = p.preamble ? Body::quoted_printable : Body::keep;
            break;
        case Region::epilogue:
            action_ = p.epilogue ? Body::quoted_printable : Body::keep;
            break;
        case Region::none:
            action_ = Body::keep;
            break;
    }
    if (opaque()) action_ = Body::keep;  // inside a message/global: as it came
    qp_ = {};
    repair_ = {};
    b64_ = {};
    rewrap_ = {};
}

void MimeDowngrade::Walker::end_region(std::string& out) {
    if (region_ == Region::none) return;
    const Region r = region_;
    region_ = Region::none;
    if (converting_) {
        switch (action_) {
            case Body::keep:
                break;
            case Body::quoted_printable:
                qp_.finish(out);
                break;
            case Body::base64:
                b64_.finish(out);
                break;
            case Body::repair_qp:
                repair_.finish(out);
                break;
            case Body::rewrap_base64:
                rewrap_.finish(out);
                break;
        }
        return;
    }
    const Entity& e = stack_.back();
    PartPlan& p = plan_[e.index];
    if (!stats_.needs_change()) return;
    p.changed = true;
    if (r == Region::preamble) {
        p.preamble = true;
    } else if (r == Region::epilogue) {
        p.epilogue = true;
    } else if (e.cte == "quoted-printable") {
        p.body = Body::repair_qp;
    } else if (e.cte == "base64") {
        p.body = Body::rewrap_base64;
    } else {
        // QP costs 3 octets per 8-bit octet, base64 4 per 3 of all. Text stays readable in
        // QP while at most a quarter of it is 8-bit (Latin scripts: QP is then at most a
        // tenth longer than base64); beyond (Cyrillic, CJK), base64.
        p.body = e.text && stats_.high * 4 <= stats_.bytes ? Body::quoted_printable : Body::base64;
        if (e.plain_text && stats_.high > 0 && !e.charset_ok)
            p.charset = stats_.utf8.valid() ? Label::utf8 : Label::unknown_8bit;
    }
}

void MimeDowngrade::Walker::region_data(std::string_view data, std::string& out) {
    if (data.empty() || region_ == Region::none) {
        if (converting_) emit(data, out);  // (no region: only between parts; never data)
        return;
    }
    if (!converting_) {
        if (structure_only_) return;
        stats_.bytes += data.size();
        std::uint64_t high = count_high(data);
        if (high > 0 || !stats_.utf8.valid()) stats_.utf8.feed(data);
        stats_.high += high;
        return;
    }
    switch (action_) {
        case Body::keep:
            emit(data, out);
            break;
        case Body::quoted_printable:
            qp_.feed(data, out);
            break;
        case Body::base64:
            b64_.feed(data, out);
            break;
        case Body::repair_qp:
            repair_.feed(data, out);
            break;
        case Body::rewrap_base64:
            rewrap_.feed(data, out);
            break;
    }
}

void MimeDowngrade::Walker::flush_pending_eol(std::string& out) {
    if (pending_eol_.empty()) return;
    std::string eol = std::move(pending_eol_);
    pending_eol_.clear();
    region_data(eol, out);
}

MimeDowngrade::MimeDowngrade(MimeLimits limits) : walker_(std::make_unique<Walker>(limits)) {}
MimeDowngrade::~MimeDowngrade() = default;
MimeDowngrade::MimeDowngrade(MimeDowngrade&&) noexcept = default;
MimeDowngrade& MimeDowngrade::operator=(MimeDowngrade&&) noexcept = default;

void MimeDowngrade::feed(std::string_view in, std::string& out) {
    walker_->feed(in, out);
}

void MimeDowngrade::finish(std::string& out) {
    walker_->finish(out);
}

void MimeDowngrade::scan(std::string_view in) {
    walker_->structure_only_ = true;
    std::string none;  // the first pass writes nothing but its input
    walker_->feed(in, none, false);
}

void MimeDowngrade::finish_scan() {
    std::string none;
    walker_->finish(none);
}

const std::optional<Error>& MimeDowngrade::error() const {
    return walker_->error_;
}

bool MimeDowngrade::needs_conversion() const {
    return !walker_->error_ && !walker_->plan_.empty() && walker_->plan_.front().changed;
}

const std::optional<Unsendable>& MimeDowngrade::unsendable() const {
    return walker_->unsendable_;
}

std::size_t MimeDowngrade::parts() const {
    return walker_->plan_.empty() ? 0 : walker_->plan_.size() - 1;
}

void MimeDowngrade::start_conversion() {
    walker_->start_conversion();
}

std::string downgrade_to_7bit(std::string_view message) {
    MimeDowngrade d;
    std::string out;
    d.feed(message, out);
    d.finish(out);
    if (!d.needs_conversion()) return out;
    out.clear();
    d.start_conversion();
    d.feed(message, out);
    d.finish(out);
    return out;
}

}  // namespace nullrelay
