#include "delivery.hpp"

#include <algorithm>
#include <chrono>

#include <fmt/format.h>

#include "delivery_outcome.hpp"
#include "log.hpp"
#include "text.hpp"

namespace nullrelay {

namespace {

std::int64_t now_seconds() {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

double seconds_since(std::int64_t arrival) {
    auto now = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch());
    return std::max(0.0, now.count() - static_cast<double>(arrival));
}

std::string_view status_word(Verdict v) {
    switch (v) {
        case Verdict::sent:
            return "sent";
        case Verdict::deferred:
            return "deferred";
        case Verdict::bounced:
            return "bounced";
    }
    return "deferred";
}

}  // namespace

std::int64_t backoff_seconds(const Config& config, int attempts) {
    std::int64_t wait = config.retry_min.count();
    for (int i = 1; i < attempts && wait < config.retry_max.count(); ++i)
        wait *= 2;
    return std::min<std::int64_t>(wait, config.retry_max.count());
}

Deliverer::Deliverer(Spool& spool, const Config& config, const Credentials& credentials,
                     const std::atomic<bool>* abort_flag)
    : spool_(spool), config_(config), credentials_(credentials), abort_flag_(abort_flag) {}

Deliverer::~Deliverer() = default;

SmtpSession& Deliverer::session(size_t i) {
    if (sessions_.size() <= i) sessions_.resize(i + 1);
    if (!sessions_[i])
        sessions_[i] = std::make_unique<SmtpSession>(config_, config_.smarthosts[i], credentials_,
                                                     abort_flag_);
    return *sessions_[i];
}

std::optional<std::int64_t> Deliverer::deliver(const std::string& id) {
    auto loaded = spool_.load(Place::queue, id);
    if (!loaded) {
        // Left where it is for the admin (nullrelay queue reports it); not retried in a loop.
        log_error("{}: {}", id, loaded.error().message);
        return std::nullopt;
    }
    Envelope env = std::move(*loaded);
    std::vector<size_t> pending;
    for (size_t i = 0; i < env.recipients.size(); ++i)
        if (env.recipients[i].state == RecipientState::pending) pending.push_back(i);

    AttemptVerdict verdict;
    std::string relay = "none";
    if (pending.empty()) {
        verdict.summary = "";
    } else if (config_.smarthosts.empty()) {
        verdict.summary = "no smarthost configured (set smarthost in " + config_.path + ")";
        verdict.recipients.assign(pending.size(), {Verdict::deferred, "4.3.5", verdict.summary});
    } else {
        auto content = spool_.open_content(id);
        if (!content) {
            log_error("{}: {}", id, content.error().message);
            return std::nullopt;
        }
        SmtpMessage msg;
        msg.sender = env.sender;
        for (size_t i : pending)
            msg.recipients.push_back(env.recipients[i].address);
        msg.content_fd = content->get();
        msg.size = env.size;
        for (size_t h = 0; h < config_.smarthosts.size(); ++h) {
            SmtpAttempt attempt = session(h).send(msg);
            verdict = decide_outcome(attempt, pending.size());
            relay = attempt.relay;
            if (!verdict.try_next_host || (abort_flag_ && abort_flag_->load())) break;
            if (h + 1 < config_.smarthosts.size())
                log_warning("{}: {}; trying the next smarthost", id, verdict.summary);
        }
    }

    ++env.attempts;
    const double delay = seconds_since(env.arrival);
    for (size_t k = 0; k < pending.size(); ++k) {
        Recipient& r = env.recipients[pending[k]];
        const RecipientVerdict& rv = verdict.recipients[k];
        r.last_reply = one_line(rv.reply);
        if (rv.verdict == Verdict::sent) r.state = RecipientState::sent;
        if (rv.verdict == Verdict::bounced) r.state = RecipientState::bounced;
        std::string orig = r.original != r.address && !r.original.empty()
                               ? fmt::format(", orig_to=<{}>", r.original)
                               : "";
        log_info("{}: to=<{}>{}, relay={}, delay={:.1f}, tries={}, dsn={}, status={} ({})", id,
                 r.address, orig, relay, delay, env.attempts, rv.dsn, status_word(rv.verdict),
                 r.last_reply);
    }
    env.last_error = one_line(verdict.summary);

    const std::int64_t now = now_seconds();
    if (env.has_pending() && now - env.arrival >= config_.queue_lifetime.count()) {
        for (auto& r : env.recipients) {
            if (r.state != RecipientState::pending) continue;
            r.state = RecipientState::bounced;
            r.last_reply =
                one_line(fmt::format("message expired after {}s in the queue; last error: {}",
                                     config_.queue_lifetime.count(), env.last_error));
            log_info("{}: to=<{}>, status=expired ({})", id, r.address, r.last_reply);
        }
    }
    if (env.has_pending()) {
        env.next_attempt = now + backoff_seconds(config_, env.attempts);
        if (Status st = spool_.store(Place::queue, env); !st)
            log_error("{}: {}", id, st.error().message);
        return env.next_attempt;
    }
    bool any_failed =
        std::any_of(env.recipients.begin(), env.recipients.end(),
                    [](const Recipient& r) { return r.state == RecipientState::bounced; });
    if (any_failed) {
        // Kept, never dropped: bounce reports are generated by the delivery engine once it
        // has them; until then the admin finds the message in failed/.
        Status st = spool_.store(Place::queue, env);
        if (st) st = spool_.move(id, Place::queue, Place::failed);
        if (!st)
            log_error("{}: {}", id, st.error().message);
        else
            log_info("{}: moved to failed/", id);
        return std::nullopt;
    }
    if (Status st = spool_.remove(Place::queue, id); !st)
        log_error("{}: {}", id, st.error().message);
    else
        log_info("{}: removed", id);
    return std::nullopt;
}

}  // namespace nullrelay
