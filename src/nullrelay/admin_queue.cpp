#include "nullrelay/admin_queue.hpp"

#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <set>

#include <fmt/format.h>

#include "nullrelay/mailq_format.hpp"
#include "nullrelay/message_view.hpp"
#include "nullrelay/queue_client.hpp"
#include "nullrelay/queue_json.hpp"
#include "util/terminal_text.hpp"

namespace nullrelay {

namespace {

void print_error(std::string_view text) {
    // It may quote a smarthost's reply or a queue file: no control character reaches the tty.
    std::string safe = terminal_safe(text);
    std::fprintf(stderr, "nullrelay: %s\n", safe.c_str());
}

// Keeps the first failure's status: the exit status of the command.
struct ExitStatus {
    int code = EX_OK;
    void fail(int c) {
        if (code == EX_OK && c != EX_OK) code = c;
    }
};

// Collects a listing; unreadable queue files are reported at once and the listing goes on.
class ListingSink : public ReplySink {
  public:
    void message(const ListedMessage& m) override { messages.push_back(m); }
    void paused(const DeliveryPause& p) override { pause = p; }
    void problem(const Error& e) override {
        print_error(e.message);
        status.fail(EX_DATAERR);
    }
    void result(const Outcome& o) override {
        print_error(fmt::format("{}: {}", o.id, o.text));
        status.fail(o.code);
    }
    void waiting(const std::string&) override {}
    void content(UniqueFd fd) override { content_fd = std::move(fd); }

    std::vector<ListedMessage> messages;
    std::optional<DeliveryPause> pause;
    UniqueFd content_fd;
    ExitStatus status;
};

// Prints what became of each message; with flush --wait, the outcomes as they come, counted.
class OutcomeSink : public ReplySink {
  public:
    explicit OutcomeSink(const Request& request) : request_(request) {}
    void message(const ListedMessage&) override {}
    void problem(const Error& e) override {
        print_error(e.message);
        status.fail(e.exit_code);
        reported_ = true;
    }
    void waiting(const std::string& id) override { waiting_.insert(id); }
    void content(UniqueFd) override {}
    void result(const Outcome& o) override {
        status.fail(o.code);
        reported_ = true;
        if (waiting_.count(o.id)) {
            // The report of flush --wait: every outcome, counted, on stdout.
            std::printf("[%zu/%zu] %s: %s\n", ++settled_, waiting_.size(), o.id.c_str(),
                        terminal_safe(o.text).c_str());
        } else if (o.code != EX_OK) {
            print_error(fmt::format("{}: {}", o.id, o.text));
        } else if (request_.action != Action::flush) {  // a plain flush is quiet, as sendmail -q
            std::printf("%s: %s\n", o.id.c_str(), terminal_safe(o.text).c_str());
        }
        std::fflush(stdout);
    }

    // flush --wait with nothing to attempt says so: silence would leave the admin guessing
    // whether anything happened.
    void say_if_nothing_done() const {
        if (request_.action == Action::flush && request_.wait && !reported_ && status.code == EX_OK)
            std::printf("nothing to flush: no message is waiting for delivery\n");
    }

    ExitStatus status;

  private:
    const Request& request_;
    bool reported_ = false;
    std::set<std::string> waiting_;
    size_t settled_ = 0;
};

// delete --all or by pattern: names exactly the messages the admin agreed to.
bool confirm_delete(const AdminContext& ctx, Request& request, bool yes, int& exit_code) {
    if (!request.selection.ids.empty() || yes) return true;
    if (!::isatty(STDIN_FILENO) || !::isatty(STDERR_FILENO)) {
        print_error("delete without queue ids needs --yes (there is no terminal to ask on)");
        exit_code = EX_USAGE;
        return false;
    }
    ListingSink listing;
    Request list{Action::list, request.selection, false};
    if (list.selection.all) list.selection = Selection{};
    if (Status st = run_queue_request(ctx.config, ctx.config_path, list, listing); !st) {
        print_error(st.error().message);
        exit_code = st.error().exit_code;
        return false;
    }
    if (listing.messages.empty()) {
        std::fprintf(stderr, "nullrelay: no message matches\n");
        exit_code = EX_OK;
        return false;
    }
    std::fprintf(stderr, "Delete %zu message(s) for good? [y/N] ", listing.messages.size());
    std::string answer;
    std::getline(std::cin, answer);
    if (answer != "y" && answer != "Y" && answer != "yes") {
        exit_code = EX_OK;
        return false;
    }
    request.selection = Selection{};
    for (const auto& m : listing.messages)
        request.selection.ids.push_back(m.envelope.id);
    return true;
}

}  // namespace

int list_queue(const AdminContext& ctx, const Selection& selection, bool json) {
    ListingSink sink;
    Request request{Action::list, selection, false};
    if (Status st = run_queue_request(ctx.config, ctx.config_path, request, sink); !st) {
        print_error(st.error().message);
        return st.error().exit_code;
    }
    std::string out;
    if (json) {
        for (const auto& m : sink.messages)
            out += format_json_message(m);
    } else {
        out = format_mailq(sink.messages, sink.pause);
    }
    std::fwrite(out.data(), 1, out.size(), stdout);
    return sink.status.code;
}

int show_message(const AdminContext& ctx, const std::string& id, bool with_body) {
    ListingSink sink;
    Request request{Action::show, {}, false};
    request.selection.ids = {id};
    if (Status st = run_queue_request(ctx.config, ctx.config_path, request, sink); !st) {
        print_error(st.error().message);
        return st.error().exit_code;
    }
    if (sink.messages.empty()) return sink.status.code == EX_OK ? EX_SOFTWARE : sink.status.code;
    std::string head = format_envelope_view(sink.messages.front()) + "\n";
    std::fwrite(head.data(), 1, head.size(), stdout);
    if (!sink.content_fd.valid()) return sink.status.code;
    if (Status st = write_content_view(sink.content_fd.get(), with_body, stdout); !st) {
        print_error(st.error().message);
        return st.error().exit_code;
    }
    return sink.status.code;
}

int change_queue(const AdminContext& ctx, Request request, bool yes) {
    if (request.action == Action::remove) {
        int code = EX_OK;
        if (!confirm_delete(ctx, request, yes, code)) return code;
    }
    OutcomeSink sink(request);
    if (Status st = run_queue_request(ctx.config, ctx.config_path, request, sink); !st) {
        print_error(st.error().message);
        return st.error().exit_code;
    }
    sink.say_if_nothing_done();
    return sink.status.code;
}

}  // namespace nullrelay
