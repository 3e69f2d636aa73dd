#include "sendmail/sendmail_args.hpp"

#include <fmt/format.h>

#include "mail/address.hpp"
#include "util/text.hpp"

namespace nullrelay {

namespace {

// Letters that take a value (attached or as the next word), as in sendmail 8's getopt string.
bool takes_value(char c) {
    return std::string_view("ABCFLNORVXbdefhopr").find(c) != std::string_view::npos;
}
// Letters that stand alone.
bool is_flag(char c) {
    return std::string_view("GIUcimnstv").find(c) != std::string_view::npos;
}

Result<std::string> parse_sender(std::string_view value) {
    std::string_view v = trim(value);
    if (v.empty() || v == "<>") return std::string();
    if (v.size() >= 2 && v.front() == '<' && v.back() == '>') v = v.substr(1, v.size() - 2);
    if (std::string why = envelope_address_problem(v); !why.empty())
        return Error{EX_DATAERR, fmt::format("bad sender address '{}': {}", one_line(value), why)};
    return std::string(v);
}

Status apply_option(SendmailArgs& a, char letter, const std::string& value) {
    switch (letter) {
        case 'b':
            a.mode_flag = "-b" + value;
            if (value == "m")
                a.mode = SendmailMode::deliver;
            else if (value == "p")
                a.mode = SendmailMode::print_queue;
            else if (value == "i")
                a.mode = SendmailMode::init_aliases;
            else if (value == "s")
                a.mode = SendmailMode::smtp_on_stdin;
            else if (value == "v")
                a.mode = SendmailMode::verify;
            else if (value == "V")
                a.mode = SendmailMode::version;
            else
                a.mode = SendmailMode::unsupported;
            return ok_status();
        case 'f':
        case 'r': {
            auto s = parse_sender(value);
            if (!s) return s.error();
            a.sender = *s;
            return ok_status();
        }
        case 'F':
            a.full_name = value;
            return ok_status();
        case 'C':
            a.config_path = value;
            return ok_status();
        case 'B':
        case 'N':
        case 'R':
        case 'V': {
            std::string problem;
            std::string canonical = letter == 'B'   ? canonical_body_type(value, &problem)
                                    : letter == 'N' ? canonical_notify(value, &problem)
                                    : letter == 'R' ? canonical_ret(value, &problem)
                                                    : canonical_envid(value, &problem);
            if (!problem.empty())
                return Error{EX_USAGE,
                             fmt::format("-{} '{}': {}", letter, one_line(value), problem)};
            (letter == 'B'   ? a.dsn.body_type
             : letter == 'N' ? a.dsn.notify
             : letter == 'R' ? a.dsn.ret
                             : a.dsn.envid) = canonical;
            return ok_status();
        }
        case 'o':
            if (value == "i")
                a.ignore_dots = true;
            else if (value == "di")
                a.delivery_mode = DeliveryMode::interactive;
            else if (value == "db" || value == "d")
                a.delivery_mode = DeliveryMode::background;
            else if (value == "dq")
                a.delivery_mode = DeliveryMode::queue_only;
            else if (value.size() == 2 && value[0] == 'e' &&
                     std::string_view("mpqwe").find(value[1]) != std::string_view::npos)
                a.error_mode = value[1];
            else
                a.ignored.push_back("-o" + value);
            return ok_status();
        default:  // -A -L -O -X -d -e -h -p: accepted and ignored (documented)
            a.ignored.push_back(fmt::format("-{}{}", letter, value));
            return ok_status();
    }
}

// Walks the options as parse_sendmail_args does, without judging them: each bundle's flags,
// then at most one letter whose value is the rest of the word or the next word. `visit` gets
// each letter that takes a value, with the value (none when the command line ends first), and
// each whole word that is not a bundle of letters ("--version").
template <typename Visit>
void walk_options(std::span<const std::string> args, Visit visit) {
    for (size_t i = 0; i < args.size(); ++i) {
        const std::string& word = args[i];
        if (word == "--" || word.size() < 2 || word[0] != '-') break;
        if (word[1] == '-') {
            visit('-', std::optional<std::string>(word));
            continue;
        }
        for (size_t j = 1; j < word.size(); ++j) {
            char c = word[j];
            if (c == 'q') break;
            if (!takes_value(c)) continue;
            std::optional<std::string> value;
            if (j + 1 < word.size())
                value = word.substr(j + 1);
            else if (i + 1 < args.size())
                value = args[++i];
            visit(c, value);
            break;
        }
    }
}

}  // namespace

std::optional<std::string> find_config_option(std::span<const std::string> args) {
    std::optional<std::string> found;
    walk_options(args, [&](char c, const std::optional<std::string>& value) {
        // A -C without a value is left for parse_sendmail_args to refuse.
        if (c == 'C' && value) found = value;
    });
    return found;
}

bool asks_for_version(std::span<const std::string> args) {
    bool found = false;
    walk_options(args, [&](char c, const std::optional<std::string>& value) {
        if ((c == '-' && value == "--version") || (c == 'b' && value == "V")) found = true;
    });
    return found;
}

Result<SendmailArgs> parse_sendmail_args(std::span<const std::string> args) {
    SendmailArgs a;
    size_t i = 0;
    bool after_dashdash = false;
    for (; i < args.size(); ++i) {
        const std::string& word = args[i];
        if (word == "--") {
            after_dashdash = true;
            ++i;
            break;
        }
        if (word.size() < 2 || word[0] != '-') break;
        if (word == "--version") {
            a.mode = SendmailMode::version;
            continue;
        }
        for (size_t j = 1; j < word.size(); ++j) {
            char c = word[j];
            if (c == 'q') {  // -q takes an optional attached value only
                a.mode = SendmailMode::flush;
                a.queue_argument = word.substr(j + 1);
                break;
            }
            if (takes_value(c)) {
                std::string value;
                if (j + 1 < word.size()) {
                    value = word.substr(j + 1);
                } else if (i + 1 < args.size()) {
                    value = args[++i];
                } else {
                    return Error{EX_USAGE, fmt::format("option -{} needs a value", c)};
                }
                if (Status st = apply_option(a, c, value); !st) return st.error();
                break;
            }
            if (!is_flag(c))
                return Error{EX_USAGE, fmt::format("unknown option -{} (in '{}')",
                                                   one_line(std::string(1, c)), one_line(word))};
            switch (c) {
                case 'i':
                    a.ignore_dots = true;
                    break;
                case 't':
                    a.extract_recipients = true;
                    break;
                case 'v':
                    a.verbose = true;
                    break;
                case 'I':
                    a.mode = SendmailMode::init_aliases;
                    break;
                default:
                    a.ignored.push_back(fmt::format("-{}", c));
                    break;  // -G -U -c -m -n -s
            }
        }
    }
    for (; i < args.size(); ++i) {
        const std::string& word = args[i];
        // Threat: a recipient taken from untrusted input that looks like an option.
        if (!after_dashdash && !word.empty() && word[0] == '-')
            return Error{EX_USAGE,
                         fmt::format("'{}' looks like an option after the recipients; put '--' "
                                     "before recipients that start with '-'",
                                     one_line(word))};
        // Debian cron passes MAILTO split on white space: "a@x," "b@y" are an address list.
        // Threat: a line break in an argument that the list parser would read as white space
        // ("a@b\r\nRCPT TO:<x@y>" must not quietly become x@y).
        for (unsigned char c : word)
            if (c < 0x20 || c == 0x7f)
                return Error{
                    EX_DATAERR,
                    fmt::format("bad recipient address '{}': control character", one_line(word))};
        auto mailboxes = parse_address_list(word);
        if (mailboxes.empty())
            return Error{EX_DATAERR, fmt::format("bad recipient address '{}'", one_line(word))};
        for (const Mailbox& m : mailboxes) {
            if (std::string why = envelope_address_problem(m.address); !why.empty())
                return Error{EX_DATAERR, fmt::format("bad recipient address '{}': {}",
                                                     one_line(m.address), why)};
            a.recipients.push_back(m.address);
        }
    }
    return a;
}

}  // namespace nullrelay
