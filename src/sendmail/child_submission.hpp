// A MessageSink that submits each message through a fresh nullrelay-sendmail process (which
// takes the setgid group again on exec), for sendmail -bs.
#pragma once

#include <sys/types.h>
#include <optional>
#include <string>

#include "sendmail/smtp_dialogue.hpp"
#include "util/unique_fd.hpp"

namespace nullrelay {

class ChildSubmission : public MessageSink {
  public:
    // config_path: passed on as -C (root only; empty for the default).
    explicit ChildSubmission(std::string config_path) : config_path_(std::move(config_path)) {}
    ~ChildSubmission() override;

    std::string begin(const std::string& sender,
                      const std::vector<std::string>& recipients) override;
    void write(std::string_view data) override;
    std::string finish() override;
    void abandon() override;

  private:
    std::string config_path_;
    pid_t pid_ = -1;
    UniqueFd to_child_, from_child_;
    bool write_failed_ = false;
};

}  // namespace nullrelay
