// nullrelay-sendmail: the sendmail-compatible submission program (/usr/sbin/sendmail).
//
// SECURITY: installed setgid nullrelay-submit (the submission group). It uses the group for one
// thing only: to create its file in maildrop/ (which local users cannot otherwise write). It then
// drops the group for good, before it looks at its arguments or reads the message, so nothing a
// caller controls is ever handled with privilege. It records no claim about who submitted: the
// daemon takes that from the file owner. -C is honoured for root only. It links neither libcurl nor
// OpenSSL and never sees credentials.
#include <unistd.h>

#include <signal.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <memory>
#include <string>
#include <unordered_set>
#include <vector>

#include <fmt/format.h>

#include "config/config.hpp"
#include "mail/address.hpp"
#include "mail/header_block.hpp"
#include "mail/message_normalizer.hpp"
#include "mail/mime_downgrade.hpp"
#include "queue/maildrop.hpp"
#include "queue/maildrop_format.hpp"
#include "sendmail/child_submission.hpp"
#include "sendmail/privilege.hpp"
#include "sendmail/sendmail_args.hpp"
#include "sendmail/smtp_dialogue.hpp"
#include "util/program_path.hpp"
#include "util/sys_error.hpp"
#include "util/text.hpp"
#include "util/version.hpp"

using namespace nullrelay;

namespace {

constexpr size_t kReadChunk = 64 * 1024;

[[noreturn]] void fatal(const Error& e) {
    std::fprintf(stderr, "sendmail: %s\n", e.message.c_str());
    std::fflush(stderr);
    std::_Exit(e.exit_code);
}

// -t: recipients from To/Cc/Bcc, or from Resent-To/Cc/Bcc when the message was resent
// (sendmail, Exim and Postfix agree on this rule).
Status extract_recipients(std::string_view header_text, std::vector<std::string>& out) {
    HeaderBlock h = HeaderBlock::parse(header_text, nullptr);
    bool resent = h.has("Resent-To") || h.has("Resent-Cc") || h.has("Resent-Bcc");
    const char* names[3] = {"To", "Cc", "Bcc"};
    const char* resent_names[3] = {"Resent-To", "Resent-Cc", "Resent-Bcc"};
    for (const char* name : resent ? resent_names : names) {
        for (const std::string& value : h.values(name)) {
            for (const Mailbox& m : parse_address_list(value)) {
                if (std::string why = envelope_address_problem(m.address); !why.empty())
                    return Error{EX_DATAERR, fmt::format("bad address '{}' in {}: header: {}",
                                                         one_line(m.address), name, why)};
                out.push_back(m.address);
            }
        }
    }
    return ok_status();
}

std::vector<std::string> without_duplicates(const std::vector<std::string>& in) {
    std::vector<std::string> out;
    std::unordered_set<std::string> seen;  // a linear search was quadratic in a long To:
    for (const auto& a : in)
        if (seen.insert(to_lower(a)).second) out.push_back(a);
    return out;
}

// sendmail -q[arg]: -q and -q30m flush everything (there is no queue-runner interval to
// set: the daemon runs its own schedule), -qI<id> that message, -qR<s> and -qS<s> the
// messages with a recipient or the sender containing <s>.
Result<std::vector<std::string>> flush_arguments(const std::string& arg) {
    if (arg.empty() || std::isdigit(static_cast<unsigned char>(arg[0])))
        return std::vector<std::string>{"flush"};
    std::string value = arg.substr(1);
    if (value.empty()) return Error{EX_USAGE, fmt::format("-q{} needs a value", arg)};
    switch (arg[0]) {
        case 'I':
            return std::vector<std::string>{"flush", value};
        case 'R':
            return std::vector<std::string>{"flush", "--recipient", value};
        case 'S':
            return std::vector<std::string>{"flush", "--sender", value};
        default:
            return Error{EX_USAGE,
                         fmt::format("-q{}: expected -q, -qI<id>, -qR<recipient> or -qS<sender>",
                                     one_line(arg))};
    }
}

std::string short_host_name() {
    char buf[256] = {};
    if (::gethostname(buf, sizeof buf - 1) != 0) return "localhost";
    return buf;
}

[[noreturn]] void exec_admin(const std::vector<std::string>& words) {
    std::string path = sibling_program("nullrelay");
    std::vector<char*> argv;
    for (const auto& w : words)
        argv.push_back(const_cast<char*>(w.c_str()));
    argv.push_back(nullptr);
    ::execv(path.c_str(), argv.data());
    fatal({EX_UNAVAILABLE, fmt::format("cannot run {}: {}", path, errno_text(errno))});
}

// Reads the message from stdin into the maildrop file. The header section is held in memory
// (bounded) until complete, because -t needs its recipients before the envelope is written.
// The MIME structure is checked on the way: a message past the limits the daemon's 7-bit
// downgrade works within (mime_downgrade.hpp) is refused here, where the caller hears of it.
Status read_message(const SendmailArgs& args, std::vector<std::string> recipients,
                    MaildropWriter& file, std::uint64_t max_size) {
    MessageNormalizer normalizer(
        {.dot_line_ends_message = !args.ignore_dots, .drop_mbox_from_line = true});
    MimeDowngrade mime;
    std::string pending;
    bool envelope_written = false;
    std::uint64_t total = 0;
    auto write_envelope = [&]() -> Status {
        if (args.extract_recipients)
            if (Status st = extract_recipients(pending, recipients); !st) return st;
        recipients = without_duplicates(recipients);
        if (recipients.empty())
            return Error{EX_USAGE,
                         "no recipients: none on the command line, none in To:, Cc: or Bcc:"};
        MaildropEnvelope env{args.sender, args.full_name, recipients, args.dsn,
                             args.delivery_mode == DeliveryMode::queue_only};
        auto header = format_maildrop_header(env);
        if (!header) return header.error();
        envelope_written = true;
        return file.write(*header);
    };
    auto flush = [&](bool force) -> Status {
        if (!envelope_written) {
            // Pickup never cuts a header section (a Bcc: after the cut would go out), so one
            // over the limit is refused here, before anything is queued. A message that ends
            // without a blank line is all header.
            auto section = HeaderBlock::section_size(pending);
            if ((section ? *section : pending.size()) > kHeaderSectionLimit)
                return Error{EX_DATAERR,
                             fmt::format("the message's header section is larger than {} KiB",
                                         kHeaderSectionLimit / 1024)};
            if (!force && !section) return ok_status();
            if (Status st = write_envelope(); !st) return st;
        }
        if (pending.size() < kReadChunk && !force) return ok_status();
        total += pending.size();
        if (total > max_size)
            return Error{EX_DATAERR,
                         fmt::format("message is larger than the limit of {} bytes", max_size)};
        Status st = file.write(pending);
        pending.clear();
        return st;
    };
    // Not zero-filled: filling 64 KB would touch 16 pages that a small message never uses.
    auto chunk = std::make_unique_for_overwrite<char[]>(kReadChunk);
    while (!normalizer.ended()) {
        ssize_t n = ::read(STDIN_FILENO, chunk.get(), kReadChunk);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0)
            return Error{EX_IOERR, fmt::format("cannot read the message: {}", errno_text(errno))};
        if (n == 0) break;
        const size_t before = pending.size();
        normalizer.feed(std::string_view(chunk.get(), static_cast<size_t>(n)), pending);
        mime.scan(std::string_view(pending).substr(before));
        if (mime.error()) return *mime.error();
        if (Status st = flush(false); !st) return st;
    }
    const size_t before = pending.size();
    normalizer.finish(pending);
    mime.scan(std::string_view(pending).substr(before));
    mime.finish_scan();
    if (mime.error()) return *mime.error();
    return flush(true);
}

}  // namespace

int main(int argc, char** argv) {
    // 1. Hygiene, before anything else runs.
    sanitize_process();
    ::signal(SIGPIPE, SIG_IGN);  // a refused -bs submission closes its pipe; we report, not die
    std::vector<std::string> words(argv + (argc > 0 ? 1 : 0), argv + argc);
    const bool root = ::getuid() == 0;

    // --version (or exim's -bV, which scripts use to ask which MTA this is): answered before
    // the spool is opened, so nothing is created, and without the group.
    if (asks_for_version(words)) {
        if (Status st = drop_group_privilege(); !st) fatal(st.error());
        std::printf("nullrelay-sendmail (nullrelay) %s\n", kVersion);
        return EX_OK;
    }

    // 2. Find the spool. Only root may name another configuration (-C).
    std::string config_path = kDefaultConfigPath;
    if (root)
        if (auto named = find_config_option(words)) config_path = *named;
    auto config = load_config(config_path);
    if (!config) fatal(config.error());

    // 3. Acquire what needs the group: the maildrop directory and our new file in it.
    auto file = MaildropWriter::create(SpoolLayout(config->spool_dir));
    if (!file) fatal(file.error());

    // 4. Drop the group for good. From here on nothing runs with privilege.
    if (Status st = drop_group_privilege(); !st) fatal(st.error());

    // 5. Parse the command line (untrusted).
    auto args = parse_sendmail_args(words);
    if (!args) fatal(args.error());
    if (args->config_path && !root)
        std::fprintf(stderr, "sendmail: -C is honoured for root only; ignored\n");

    // 6. Modes other than sending: the queue and the maps belong to the admin program.
    std::vector<std::string> admin = {"nullrelay"};
    if (root && args->config_path) admin.insert(admin.end(), {"-C", *args->config_path});
    switch (args->mode) {
        case SendmailMode::deliver:
            break;
        case SendmailMode::print_queue:
            file->abandon();
            admin.push_back("queue");
            exec_admin(admin);
        case SendmailMode::init_aliases:
            file->abandon();
            admin.push_back("check");
            exec_admin(admin);
        case SendmailMode::verify:
            file->abandon();
            if (args->recipients.empty()) fatal({EX_USAGE, "-bv needs addresses to verify"});
            admin.push_back("rewrite");
            admin.insert(admin.end(), args->recipients.begin(), args->recipients.end());
            exec_admin(admin);
        case SendmailMode::flush: {
            file->abandon();
            auto flush = flush_arguments(args->queue_argument);
            if (!flush) fatal(flush.error());
            admin.insert(admin.end(), flush->begin(), flush->end());
            exec_admin(admin);
        }
        case SendmailMode::smtp_on_stdin: {
            file->abandon();
            ChildSubmission sink(root && args->config_path ? *args->config_path : "");
            std::string name = config->hostname.empty() ? short_host_name() : config->hostname;
            return run_smtp_dialogue(STDIN_FILENO, STDOUT_FILENO, {name, config->max_message_size},
                                     sink);
        }
        case SendmailMode::version:  // answered in step 1; here only if the scan and the
                                     // parser ever disagree
            file->abandon();
            std::printf("nullrelay-sendmail (nullrelay) %s\n", kVersion);
            return EX_OK;
        case SendmailMode::unsupported:
            fatal({EX_USAGE, fmt::format("mode {} is not supported (nullrelay only sends mail: "
                                         "-bm, -bs, -bp, -bv, -bi, -q)",
                                         one_line(args->mode_flag))});
    }
    if (args->recipients.empty() && !args->extract_recipients)
        fatal(
            {EX_USAGE, "no recipients given (name them, or use -t to read them from the message)"});

    // 7. Read the message into the file, then make it durable. Exit 0 only after that.
    Status written = file->ensure_room(config->spool_reserve());
    if (written) written = read_message(*args, args->recipients, *file, config->max_message_size);
    if (written) written = file->commit();
    if (!written) {
        file->abandon();  // frees the space now (a full disk), leaves nothing to send
        fatal(written.error());
    }
    if (args->verbose) std::fprintf(stderr, "sendmail: queued as %s\n", file->id().c_str());
    return EX_OK;
}
