#include "sendmail/child_submission.hpp"

#include <fcntl.h>
#include <sysexits.h>
#include <unistd.h>

#include <utility>

#include <fmt/format.h>

#include "util/child_process.hpp"
#include "util/program_path.hpp"
#include "util/text.hpp"

namespace nullrelay {

ChildSubmission::~ChildSubmission() {
    abandon();
}

std::string ChildSubmission::begin(const std::string& sender,
                                   const std::vector<std::string>& rcpts) {
    int in[2], err[2];
    if (::pipe2(in, O_CLOEXEC) != 0) return "451 4.3.0 Cannot start the submission";
    if (::pipe2(err, O_CLOEXEC) != 0) {
        ::close(in[0]), ::close(in[1]);
        return "451 4.3.0 Cannot start the submission";
    }
    std::vector<std::string> words = {"sendmail", "-i", "-v", "-f", sender.empty() ? "<>" : sender};
    if (!config_path_.empty()) words.insert(words.end(), {"-C", config_path_});
    words.push_back("--");
    words.insert(words.end(), rcpts.begin(), rcpts.end());
    words.front() = sibling_program("nullrelay-sendmail");
    auto pid =
        spawn_child({.argv = words, .stdin_fd = in[0], .stdout_fd = err[1], .stderr_fd = err[1]});
    ::close(in[0]);
    ::close(err[1]);
    if (!pid) {
        ::close(in[1]), ::close(err[0]);
        return "451 4.3.0 Cannot start the submission";
    }
    pid_ = *pid;
    to_child_.reset(in[1]);
    from_child_.reset(err[0]);
    write_failed_ = false;
    return "";
}

void ChildSubmission::write(std::string_view data) {
    while (!data.empty() && !write_failed_) {
        ssize_t n = ::write(to_child_.get(), data.data(), data.size());
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0)
            write_failed_ = true;  // the child refused the message; finish() says why
        else
            data.remove_prefix(static_cast<size_t>(n));
    }
}

std::string ChildSubmission::finish() {
    to_child_.reset();  // end of message for the child
    std::string output;
    char buf[4096];
    ssize_t n;
    while ((n = ::read(from_child_.get(), buf, sizeof buf)) > 0 || (n < 0 && errno == EINTR))
        if (n > 0 && output.size() < 65536) output.append(buf, static_cast<size_t>(n));
    from_child_.reset();
    int status = wait_child(std::exchange(pid_, -1));
    std::string text = one_line(trim(output));
    if (status == EX_OK) {
        auto at = text.find("queued as ");
        std::string id = at == std::string::npos ? "" : text.substr(at + 10);
        return fmt::format("250 2.0.0 Ok: queued as {}", id);
    }
    if (text.starts_with("sendmail: ")) text = text.substr(10);
    switch (status) {
        case EX_DATAERR:
            return fmt::format("554 5.6.0 {}", text);
        case EX_USAGE:
        case EX_NOUSER:
            return fmt::format("550 5.1.0 {}", text);
        default:
            return fmt::format("451 4.3.0 {}", text.empty() ? "Submission failed" : text);
    }
}

void ChildSubmission::abandon() {
    if (pid_ <= 0) return;
    to_child_.reset();
    from_child_.reset();
    kill_child(std::exchange(pid_, -1), false);  // its file is incomplete; the daemon removes it
}

}  // namespace nullrelay
