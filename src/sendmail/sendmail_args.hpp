// sendmail's command line, as real clients write it (research/peers.md §3): getopt-style
// letters that may be bundled (-ti), option values attached or separate (-fuser, -f user),
// `--` ending options, recipients after. Options stop at the first non-option word, as POSIX
// getopt does; a later word starting with '-' is refused as a recipient unless it follows `--`.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "queue/dsn_options.hpp"
#include "util/result.hpp"

namespace nullrelay {

enum class SendmailMode {
    deliver,        // -bm (default)
    print_queue,    // -bp, mailq
    init_aliases,   // -bi, -I, newaliases
    smtp_on_stdin,  // -bs
    verify,         // -bv
    flush,          // -q...
    version,        // --version, -bV (exim's): print the version, touch nothing
    unsupported,    // -bd, -bD, -bt, -bh, -bH, ...
};

enum class DeliveryMode { background, interactive, queue_only };  // -odb, -odi, -odq

struct SendmailArgs {
    SendmailMode mode = SendmailMode::deliver;
    std::string mode_flag;                   // the -b value, for messages
    bool ignore_dots = false;                // -i, -oi
    bool extract_recipients = false;         // -t
    std::optional<std::string> sender;       // -f, -r ("" or "<>": the null sender)
    std::string full_name;                   // -F
    std::optional<std::string> config_path;  // -C (honoured for root only)
    bool verbose = false;                    // -v
    DeliveryMode delivery_mode = DeliveryMode::background;
    char error_mode = 'p';                // -oe[mpqwe]
    std::string queue_argument;           // what followed -q (30m, Rsite, Iid)
    DsnOptions dsn;                       // -B, -N, -R, -V (validated, canonical)
    std::vector<std::string> recipients;  // from argv, comma lists split
    std::vector<std::string> ignored;     // options accepted and ignored, for -v
};

// The value of -C, looked for without parsing the rest (which may be wrong): root's way to
// name another configuration, needed before the spool can be opened.
std::optional<std::string> find_config_option(std::span<const std::string> args);

// Whether the command line asks for the version (--version, or exim's -bV), looked for
// without parsing the rest: answered before the spool is opened, so it creates no file.
bool asks_for_version(std::span<const std::string> args);

// `args` excludes argv[0]. Errors carry EX_USAGE (or EX_DATAERR for a malformed address).
Result<SendmailArgs> parse_sendmail_args(std::span<const std::string> args);

}  // namespace nullrelay
