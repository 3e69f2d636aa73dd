#include "nullrelayd/smtp_transcript.hpp"

#include "util/text.hpp"

namespace nullrelay {

void SmtpTranscript::clear() {
    *this = SmtpTranscript();
}

void SmtpTranscript::command_sent(std::string_view line) {
    line = trim(line);
    std::string cmd(line);
    // Threat: credentials in logs. AUTH arguments and SASL continuation lines are secrets.
    if (istarts_with(line, "AUTH ")) {
        auto sp = line.find(' ', 5);
        cmd = std::string(line.substr(0, sp)) + (sp == std::string_view::npos ? "" : " <redacted>");
        in_auth_ = true;
    } else if (in_auth_) {
        cmd = "<redacted>";
    }
    pending_.push_back(std::move(cmd));
}

void SmtpTranscript::reply_line(std::string_view line) {
    line = trim(line);
    if (!current_.empty()) current_ += '\n';
    current_ += one_line(line);
    bool last = line.size() == 3 || (line.size() >= 4 && line[3] == ' ');
    if (!last) return;
    SmtpExchange ex;
    int code = 0;
    for (size_t i = 0; i < 3 && i < line.size(); ++i) {
        if (line[i] < '0' || line[i] > '9') {
            code = 0;
            break;
        }
        code = code * 10 + (line[i] - '0');
    }
    ex.code = code;
    ex.reply = std::move(current_);
    current_.clear();
    if (pending_.empty()) {
        // No command: the greeting (first thing on a new connection) or the reply to the
        // message data (after the DATA exchange).
        if (exchanges_.empty()) saw_greeting_ = true;
    } else {
        ex.command = std::move(pending_.front());
        pending_.erase(pending_.begin());
    }
    if (in_auth_ && code != 334) {
        in_auth_ = false;
        if (code == 235) saw_auth_success_ = true;
    }
    exchanges_.push_back(std::move(ex));
}

std::string SmtpTranscript::redacted() const {
    std::string out;
    for (const auto& ex : exchanges_) {
        if (!ex.command.empty()) out += "> " + ex.command + "\n";
        out += "< " + ex.reply + "\n";
    }
    return out;
}

}  // namespace nullrelay
