// Pairs each SMTP command libcurl sends with the reply it gets, from CURLOPT_DEBUGFUNCTION
// output. This works because libcurl 7.88 never pipelines: one reply per command, in order
// (research/libcurl-smtp.md). The only source of per-recipient replies and reply text.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "nullrelayd/transport.hpp"

namespace nullrelay {

class SmtpTranscript {
  public:
    void command_sent(std::string_view line);
    void reply_line(std::string_view line);
    void clear();

    const std::vector<SmtpExchange>& exchanges() const { return exchanges_; }
    // True when this transcript shows a new connection (a greeting arrived).
    bool saw_greeting() const { return saw_greeting_; }
    bool saw_auth_success() const { return saw_auth_success_; }
    // The whole exchange as log text, with credentials redacted.
    std::string redacted() const;

  private:
    std::vector<std::string> pending_;
    std::vector<SmtpExchange> exchanges_;
    std::string current_;
    bool in_auth_ = false;  // AUTH sent, waiting for 235/5xx: command lines are secrets
    bool saw_greeting_ = false;
    bool saw_auth_success_ = false;
};

}  // namespace nullrelay
