#include "nullrelayd/delivery.hpp"

#include <algorithm>
#include <chrono>

#include <fmt/format.h>

#include "nullrelayd/delivery_outcome.hpp"
#include "nullrelayd/failure_class.hpp"
#include "nullrelayd/journal_log.hpp"
#include "util/log.hpp"
#include "util/text.hpp"

namespace nullrelay {

namespace {

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

std::string orig_to(const Recipient& r) {
    return !r.original.empty() && r.original != r.address
               ? fmt::format(", orig_to=<{}>", r.original)
               : "";
}

}  // namespace

std::int64_t backoff_seconds(const Config& config, int attempts) {
    std::int64_t wait = config.retry_min.count();
    for (int i = 1; i < attempts && wait < config.retry_max.count(); ++i)
        wait *= 2;
    return std::min<std::int64_t>(wait, config.retry_max.count());
}

Deliverer::Deliverer(Spool& spool, const Config& config, TransportFactory transports,
                     const AddressRewriter& rewriter, const std::atomic<bool>* abort_flag)
    : spool_(spool),
      config_(config),
      make_transport_(std::move(transports)),
      rewriter_(rewriter),
      abort_flag_(abort_flag) {}

Deliverer::~Deliverer() = default;

Transport& Deliverer::transport(size_t i) {
    if (transports_.size() <= i) transports_.resize(i + 1);
    if (!transports_[i]) transports_[i] = make_transport_(config_.smarthosts[i]);
    return *transports_[i];
}

Deliverer::Outcome Deliverer::deliver(const std::string& id) {
    auto loaded = spool_.load(Place::queue, id);
    if (!loaded) return cannot_load(id, loaded.error());
    Envelope env = std::move(*loaded);
    std::vector<size_t> pending;
    for (size_t i = 0; i < env.recipients.size(); ++i)
        if (env.recipients[i].state == RecipientState::pending) pending.push_back(i);

    AttemptVerdict verdict;
    FailureClass without_reply = FailureClass::connection;  // for the counters
    std::string relay = "none";
    if (pending.empty()) {
        verdict.summary = "";
    } else if (!env.unsendable.empty()) {
        // Pickup found that the message's own header cannot go on the wire without SMTPUTF8
        // (an 8-bit address): it is bounced, never sent broken (mail/mime_downgrade.hpp).
        const size_t sp = env.unsendable.find(' ');
        const std::string dsn = env.unsendable.substr(0, sp);
        verdict.summary = sp == std::string::npos ? env.unsendable : env.unsendable.substr(sp + 1);
        verdict.recipients.assign(pending.size(), {Verdict::bounced, dsn, verdict.summary});
    } else if (config_.smarthosts.empty()) {
        verdict.summary = "no smarthost configured (set smarthost in " + config_.path + ")";
        verdict.recipients.assign(pending.size(), {Verdict::deferred, "4.3.5", verdict.summary});
    } else {
        auto content = spool_.open_content(env);
        if (!content) return cannot_load(id, content.error());
        OutgoingMessage msg;
        msg.sender = env.sender;
        for (size_t i : pending)
            msg.recipients.push_back(env.recipients[i].address);
        msg.content_fd = content->fd.get();
        msg.content_offset = content->offset;
        msg.size = env.size;
        // Failover: the next smarthost only when this one said nothing about the message
        // (no connection, TLS or AUTH trouble, a 4xx greeting or a 421).
        for (size_t h = 0; h < config_.smarthosts.size(); ++h) {
            const auto started = std::chrono::steady_clock::now();
            SmtpAttempt attempt = transport(h).send(msg);
            if (counters_ && !attempt.exchanges.empty()) {
                counters_->transaction(
                    std::chrono::duration<double>(std::chrono::steady_clock::now() - started)
                        .count());
                if (!attempt.capabilities.empty())
                    counters_->connection(false);
                else if (attempt.exchanges.front().command.starts_with("MAIL FROM"))
                    counters_->connection(true);
            }
            without_reply = transport_failure(attempt);
            if (verbose_ && !attempt.capabilities.empty())
                log_info("{}: {}: smarthost offers {}", id, attempt.relay, attempt.capabilities);
            if (verbose_)
                for (const auto& line : split(attempt.transcript, '\n'))
                    if (!line.empty())  // continuation lines of a multi-line reply: "< " too
                        log_info("{}: {}: {}{}", id, attempt.relay,
                                 line.starts_with("> ") || line.starts_with("< ") ? "" : "< ",
                                 line);
            verdict = decide_outcome(attempt, pending.size());
            relay = attempt.relay;
            if (!verdict.try_next_host || (abort_flag_ && abort_flag_->load())) break;
            if (h + 1 < config_.smarthosts.size())
                log_warning("{}: {}; trying the next smarthost", id, verdict.summary);
        }
    }

    ++env.attempts;
    const double delay = std::max(0.0, clock_() - static_cast<double>(env.arrival));
    std::vector<std::pair<size_t, FailedRecipient>> failed;  // index in env.recipients
    for (size_t k = 0; k < pending.size(); ++k) {
        Recipient& r = env.recipients[pending[k]];
        const RecipientVerdict& rv = verdict.recipients[k];
        r.last_reply = one_line(rv.reply);
        if (rv.verdict == Verdict::sent) r.state = RecipientState::sent;
        // A 5xx recipient stays pending until finish() has queued its bounce.
        if (rv.verdict == Verdict::bounced)
            failed.push_back({pending[k], {r.address, r.original, rv.dsn, r.last_reply}});
        const LogField fields[] = {{"QUEUE_ID", id},
                                   {"RECIPIENT", r.address},
                                   {"STATUS", status_word(rv.verdict)},
                                   {"DSN", rv.dsn},
                                   {"RELAY", relay}};
        log_with_fields(
            LogLevel::info,
            fmt::format("{}: to=<{}>{}, relay={}, delay={:.1f}, tries={}, dsn={}, status={} ({})",
                        id, r.address, orig_to(r), relay, delay, env.attempts, rv.dsn,
                        status_word(rv.verdict), r.last_reply),
            fields);
        if (counters_) {
            counters_->recipient(rv.verdict, failure_class(rv, without_reply));
            if (rv.verdict == Verdict::sent) counters_->delivered_at(whole_seconds(clock_));
        }
    }
    env.last_error = one_line(verdict.summary);

    // Past queue_lifetime, the recipients still deferred fail too (RFC 3463 4.4.7).
    const std::int64_t now = whole_seconds(clock_);
    if (now - env.arrival >= config_.queue_lifetime.count()) {
        for (size_t i = 0; i < env.recipients.size(); ++i) {
            const Recipient& r = env.recipients[i];
            if (r.state != RecipientState::pending ||
                std::any_of(failed.begin(), failed.end(), [&](auto& f) { return f.first == i; }))
                continue;
            std::string last = !r.last_reply.empty() ? r.last_reply : env.last_error;
            failed.push_back({i, {r.address, r.original, "4.4.7", last}});
            const LogField fields[] = {{"QUEUE_ID", id},
                                       {"RECIPIENT", r.address},
                                       {"STATUS", "expired"},
                                       {"DSN", "4.4.7"},
                                       {"RELAY", "none"}};
            log_with_fields(LogLevel::info,
                            fmt::format("{}: to=<{}>{}, relay=none, delay={:.1f}, tries={}, "
                                        "dsn=4.4.7, status=expired (gave up after {}s in the "
                                        "queue; last error: {})",
                                        id, r.address, orig_to(r), delay, env.attempts,
                                        config_.queue_lifetime.count(), last),
                            fields);
            if (counters_) counters_->expired();
        }
    }
    load_failures_.erase(id);
    return finish(env, failed);
}

Deliverer::Outcome Deliverer::cannot_load(const std::string& id, const Error& error) {
    Outcome out;
    const std::int64_t now = whole_seconds(clock_);
    if (error.exit_code == EX_NOINPUT && !spool_.exists(Place::queue, id))
        return out;  // it left the queue meanwhile: nothing to do
    if (error.exit_code != EX_DATAERR && error.exit_code != EX_NOINPUT) {
        // It may pass (EMFILE, ENOMEM, EIO): the message keeps its place in the schedule.
        int failures = ++load_failures_[id];
        out.next_attempt = now + backoff_seconds(config_, failures);
        log_error("{}: {}; trying again in {}s", id, error.message, *out.next_attempt - now);
        return out;
    }
    load_failures_.erase(id);
    // It will never load (an envelope that does not parse, content that is gone): kept for
    // the admin in corrupt/, and the postmaster is told: never dropped in silence.
    if (Status st = spool_.quarantine(Place::queue, id); !st) {
        log_error("{}: {}; {}", id, error.message, st.error().message);
        out.next_attempt = now + backoff_seconds(config_, 1);
        return out;
    }
    log_error("{}: {}; moved to corrupt/{}.envelope", id, error.message, id);
    auto notice = queue_notice(
        spool_, config_, rewriter_, "postmaster", fmt::format("Undeliverable queue file {}", id),
        fmt::format("The queued message {} cannot be delivered and has not been sent:\n\n"
                    "    {}\n\n"
                    "Its files were moved to {}/corrupt/{}.envelope and .data for you to\n"
                    "inspect; nothing else will be done with them.\n",
                    id, error.message, config_.spool_dir, id),
        now);
    if (notice)
        out.queued.push_back(*notice);
    else
        log_error("{}: cannot queue the notice to the postmaster: {}", id, notice.error().message);
    return out;
}

Deliverer::Outcome Deliverer::finish(
    Envelope& env, const std::vector<std::pair<size_t, FailedRecipient>>& failed) {
    const std::string& id = env.id;
    Outcome out;
    const std::int64_t now = whole_seconds(clock_);
    // Failed recipients are marked bounced only once their bounce is durably queued: a crash
    // before that leaves them pending, so they are tried (and bounced) again, never lost.
    // A message from <> is itself a bounce and gets none (no loops), and a sender that asked
    // for no failure report (-N never, or a list without "failure": RFC 3461) gets none
    // either: such a message ends in failed/, kept for the admin, never silently dropped.
    const bool no_report =
        env.sender.empty() ||
        (!env.dsn.notify.empty() && env.dsn.notify.find("failure") == std::string::npos);
    bool bounce_queued = no_report;
    if (!failed.empty() && !no_report) {
        std::vector<FailedRecipient> report;
        for (const auto& f : failed)
            report.push_back(f.second);
        auto bounce = queue_bounce(spool_, config_, rewriter_, env, report, now);
        if (bounce) {
            log_info("{}: sender non-delivery notification: {}", id, *bounce);
            out.queued.push_back(*bounce);
            bounce_queued = true;
        } else {
            log_error("{}: cannot queue the bounce ({}); the failed recipients stay queued", id,
                      bounce.error().message);
            env.last_error = one_line("cannot queue the bounce: " + bounce.error().message);
        }
    }
    if (bounce_queued)
        for (const auto& f : failed)
            env.recipients[f.first].state = RecipientState::bounced;

    if (env.has_pending()) {
        // The last try falls on the expiry time, so a message never outlives queue_lifetime
        // by a whole backoff interval. (Past it, only when its bounce could not be queued,
        // the backoff alone applies: no retry storm on a full disk.)
        const std::int64_t expiry = env.arrival + config_.queue_lifetime.count();
        env.next_attempt = now + backoff_seconds(config_, env.attempts);
        if (expiry > now) env.next_attempt = std::min(env.next_attempt, expiry);
        if (Status st = spool_.store(Place::queue, env); !st)
            log_error("{}: {}", id, st.error().message);
        else
            out.attempt_stored = true;  // finish() follows an attempt: attempts > 0
        out.next_attempt = env.next_attempt;
        return out;
    }
    bool any_bounced =
        std::any_of(env.recipients.begin(), env.recipients.end(),
                    [](const Recipient& r) { return r.state == RecipientState::bounced; });
    if (any_bounced && no_report) {
        // Kept for the admin with the reasons in its envelope; never bounced, never deleted.
        Status st = spool_.store(Place::queue, env);
        if (st) st = spool_.move(id, Place::queue, Place::failed);
        if (!st)
            log_error("{}: {}", id, st.error().message);
        else
            log_info("{}: undeliverable {} moved to failed/ ({})", id,
                     env.sender.empty() ? "bounce" : "message (no report asked for)",
                     env.last_error);
        return out;
    }
    // Every recipient was delivered or has its bounce queued.
    out.left_as = "delivered";
    for (const auto& r : env.recipients)
        if (r.state == RecipientState::bounced) {
            out.left_as = "bounced: " + r.last_reply;
            break;
        }
    if (Status st = spool_.retire(id); !st) {
        log_error("{}: {}", id, st.error().message);
    } else {
        out.retired = true;
        log_info("{}: removed", id);
    }
    return out;
}

}  // namespace nullrelay
