#include "sendmail/smtp_dialogue.hpp"

#include <sysexits.h>
#include <unistd.h>

#include <fmt/format.h>

#include "mail/address.hpp"
#include "util/text.hpp"

namespace nullrelay {

namespace {

constexpr size_t kMaxCommandLine = 4096;  // RFC 5321 allows 512; be lenient, stay bounded
constexpr size_t kMaxRecipients = 1000;

// Reads lines from a file descriptor without losing what follows a line (clients pipeline).
class LineReader {
  public:
    explicit LineReader(int fd) : fd_(fd) {}
    // False at end of input. The line excludes its CRLF or LF; `too_long` marks a line that
    // was cut at `limit` (the rest is skipped).
    bool next(std::string& line, size_t limit, bool& too_long) {
        line.clear();
        too_long = false;
        for (;;) {
            size_t nl = buf_.find('\n', pos_);
            if (nl != std::string::npos) {
                size_t end = nl > pos_ && buf_[nl - 1] == '\r' ? nl - 1 : nl;
                append(line, std::string_view(buf_).substr(pos_, end - pos_), limit, too_long);
                pos_ = nl + 1;
                return true;
            }
            append(line, std::string_view(buf_).substr(pos_), limit, too_long);
            buf_.clear();
            pos_ = 0;
            buf_.resize(65536);
            ssize_t n;
            do
                n = ::read(fd_, buf_.data(), buf_.size());
            while (n < 0 && errno == EINTR);
            buf_.resize(n > 0 ? static_cast<size_t>(n) : 0);
            if (n <= 0) return !line.empty();
        }
    }

  private:
    static void append(std::string& line, std::string_view part, size_t limit, bool& too_long) {
        if (line.size() + part.size() > limit) {
            too_long = true;
            part = part.substr(0, limit > line.size() ? limit - line.size() : 0);
        }
        line += part;
    }
    int fd_;
    std::string buf_;
    size_t pos_ = 0;
};

void reply(int fd, std::string_view text) {
    std::string out(text);
    out += "\r\n";
    std::string_view v(out);
    while (!v.empty()) {
        ssize_t n = ::write(fd, v.data(), v.size());
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return;  // the client went away; reading will notice
        v.remove_prefix(static_cast<size_t>(n));
    }
}

// "FROM:<a@b> SIZE=12" -> "a@b"; returns false when the form is wrong.
bool path_argument(std::string_view arg, std::string_view keyword, std::string& address) {
    if (!istarts_with(arg, keyword)) return false;
    arg = trim(arg.substr(keyword.size()));
    if (arg.empty() || arg.front() != '<') return false;
    size_t close = arg.find('>');
    if (close == std::string_view::npos) return false;
    // After the path only ESMTP parameters may follow, separated by a space.
    if (close + 1 < arg.size() && arg[close + 1] != ' ') return false;
    address = std::string(arg.substr(1, close - 1));
    return true;
}

}  // namespace

int run_smtp_dialogue(int in, int out, const DialogueSettings& s, MessageSink& sink) {
    LineReader reader(in);
    reply(out, fmt::format("220 {} ESMTP nullrelay (sendmail -bs)", s.hostname));
    bool greeted = false, have_sender = false;
    std::string sender;
    std::vector<std::string> recipients;
    std::string line;
    bool too_long = false;
    auto reset = [&] {
        have_sender = false;
        sender.clear();
        recipients.clear();
    };
    while (reader.next(line, kMaxCommandLine, too_long)) {
        if (too_long) {
            reply(out, "500 5.5.2 Line too long");
            continue;
        }
        std::string_view cmd = line;
        std::string verb = to_lower(cmd.substr(0, cmd.find(' ')));
        std::string_view arg = cmd.size() > verb.size() ? trim(cmd.substr(verb.size() + 1)) : "";
        if (verb == "ehlo" || verb == "helo") {
            reset();
            greeted = true;
            if (verb == "helo")
                reply(out, fmt::format("250 {}", s.hostname));
            else
                reply(out, fmt::format(
                               "250-{}\r\n250-SIZE {}\r\n250-8BITMIME\r\n250 ENHANCEDSTATUSCODES",
                               s.hostname, s.max_message_size));
        } else if (verb == "mail") {
            std::string addr;
            if (!greeted)
                reply(out, "503 5.5.1 Send EHLO first");
            else if (have_sender)
                reply(out, "503 5.5.1 Sender already given");
            else if (!path_argument(arg, "FROM:", addr))
                reply(out, "501 5.5.4 Syntax: MAIL FROM:<address>");
            else if (!addr.empty() && !is_valid_envelope_address(addr))
                reply(out, fmt::format("553 5.1.7 Bad sender address: {}",
                                       envelope_address_problem(addr)));
            else {
                sender = addr;
                have_sender = true;
                reply(out, "250 2.1.0 Ok");
            }
        } else if (verb == "rcpt") {
            std::string addr;
            if (!have_sender)
                reply(out, "503 5.5.1 Need MAIL first");
            else if (!path_argument(arg, "TO:", addr))
                reply(out, "501 5.5.4 Syntax: RCPT TO:<address>");
            else if (!is_valid_envelope_address(addr))
                reply(out, fmt::format("553 5.1.3 Bad recipient address: {}",
                                       envelope_address_problem(addr)));
            else if (recipients.size() >= kMaxRecipients)
                reply(out, "452 4.5.3 Too many recipients");
            else {
                recipients.push_back(addr);
                reply(out, "250 2.1.5 Ok");
            }
        } else if (verb == "data") {
            if (!have_sender || recipients.empty()) {
                reply(out, "503 5.5.1 Need MAIL and RCPT first");
                continue;
            }
            std::string refusal = sink.begin(sender, recipients);
            if (!refusal.empty()) {
                reply(out, refusal);
                reset();
                continue;
            }
            reply(out, "354 End data with <CR><LF>.<CR><LF>");
            std::uint64_t size = 0;
            bool ended = false, oversized = false, cut_line = false;
            bool long_line = false;
            while (reader.next(line, 1u << 20, long_line)) {
                if (line == ".") {
                    ended = true;
                    break;
                }
                cut_line = cut_line || long_line;  // never send a line cut short
                std::string_view data = line;
                if (!data.empty() && data.front() == '.') data.remove_prefix(1);  // unstuff
                size += data.size() + 2;
                if (s.max_message_size && size > s.max_message_size) oversized = true;
                if (oversized || cut_line) continue;  // read on to the end, in step with the client
                sink.write(data);
                sink.write("\r\n");
            }
            if (!ended) {
                sink.abandon();
                return EX_IOERR;
            }
            if (cut_line) {
                sink.abandon();
                reply(out, "554 5.6.0 A line of the message is longer than 1 MiB");
            } else if (oversized) {
                sink.abandon();
                reply(out, fmt::format("552 5.3.4 Message larger than the limit of {} bytes",
                                       s.max_message_size));
            } else {
                reply(out, sink.finish());
            }
            reset();
        } else if (verb == "rset") {
            reset();
            reply(out, "250 2.0.0 Ok");
        } else if (verb == "noop") {
            reply(out, "250 2.0.0 Ok");
        } else if (verb == "vrfy") {
            reply(out, "252 2.1.5 Cannot verify, but will accept the message");
        } else if (verb == "help") {
            reply(out, "214 2.0.0 Commands: EHLO HELO MAIL RCPT DATA RSET NOOP VRFY HELP QUIT");
        } else if (verb == "quit") {
            reply(out, fmt::format("221 2.0.0 {} closing", s.hostname));
            return EX_OK;
        } else {
            reply(out, "500 5.5.2 Command not recognized");
        }
    }
    return EX_OK;
}

}  // namespace nullrelay
