#include "control/queue_commands.hpp"

#include <unistd.h>

#include <algorithm>

#include <fmt/format.h>

#include "control/queue_census.hpp"
#include "queue/submitters.hpp"
#include "util/clock.hpp"
#include "util/sys_error.hpp"

namespace nullrelay {

namespace {

constexpr std::string_view kInFlight =
    "being delivered now; try again once the attempt is over (nullrelay flush --wait ID "
    "waits for it)";

// The places each action takes its messages from, when they are not named by id.
std::vector<Place> source_places(Action action) {
    switch (action) {
        case Action::flush:
        case Action::hold:
            return {Place::queue};
        case Action::release:
            return {Place::hold};
        case Action::requeue:
            return {Place::failed};
        case Action::pause:
        case Action::resume:
            return {};
        case Action::list:
        case Action::show:
        case Action::remove:
        case Action::stats:
            break;
    }
    return {Place::queue, Place::hold, Place::failed};
}

Outcome not_applicable(const std::string& id, std::string text) {
    return {id, EX_USAGE, std::move(text)};
}

}  // namespace

std::string_view to_string(Action action) {
    switch (action) {
        case Action::list:
            return "list";
        case Action::show:
            return "show";
        case Action::flush:
            return "flush";
        case Action::hold:
            return "hold";
        case Action::release:
            return "release";
        case Action::remove:
            return "delete";
        case Action::requeue:
            return "requeue";
        case Action::stats:
            return "stats";
        case Action::pause:
            return "pause";
        case Action::resume:
            return "resume";
    }
    return "list";
}

std::optional<Action> action_named(std::string_view word) {
    for (Action a : {Action::list, Action::show, Action::flush, Action::hold, Action::release,
                     Action::remove, Action::requeue, Action::pause, Action::resume, Action::stats})
        if (to_string(a) == word) return a;
    return std::nullopt;
}

bool is_privileged(Action action) {
    return action != Action::list && action != Action::stats;
}

void OfflineDeliveryState::schedule(const std::string& id, std::int64_t when) {
    auto env = spool_.load(Place::queue, id);
    if (!env) {
        errors.push_back(env.error());
        return;
    }
    if (env->next_attempt <= when) return;  // already due by then: nothing to write
    env->next_attempt = when;
    if (Status st = spool_.store(Place::queue, *env); !st) errors.push_back(st.error());
}

std::optional<Place> QueueCommands::find(const std::string& id) const {
    for (Place p : {Place::queue, Place::hold, Place::failed})
        if (spool_.exists(p, id)) return p;
    return std::nullopt;
}

void QueueCommands::report_pause(ReplySink& sink) {
    auto pause = spool_.pause_state();
    if (!pause)
        sink.problem(pause.error());
    else if (*pause)
        sink.paused(**pause);
}

void QueueCommands::list(const Selection& selection, std::optional<std::uint32_t> only_uid,
                         ReplySink& sink) {
    report_pause(sink);
    for (const Target& t : list_targets(selection, only_uid))
        list_one(t, selection, only_uid, sink);
}

std::vector<QueueCommands::Target> QueueCommands::list_targets(
    const Selection& selection, std::optional<std::uint32_t> only_uid) {
    std::vector<Target> out;
    auto wanted = [&](const std::string& id) {
        return selection.ids.empty() ||
               std::find(selection.ids.begin(), selection.ids.end(), id) != selection.ids.end();
    };
    if (auto own = only_uid ? deliveries_.submitted_by(*only_uid) : std::nullopt) {
        for (const std::string& id : *own)
            if (wanted(id))
                if (auto place = find(id)) out.push_back({id, *place});
    } else {
        for (Place place : {Place::queue, Place::hold, Place::failed})
            for (const std::string& id : spool_.list(place))
                if (wanted(id)) out.push_back({id, place});
    }
    // Submissions not picked up yet (the daemon is down, or no smarthost is configured yet):
    // listed from what sendmail recorded, as Postfix's mailq lists its maildrop queue.
    for (const std::string& id : spool_.maildrop().complete_ids())
        if (wanted(id)) out.push_back({id, Place::queue, true});
    std::sort(out.begin(), out.end(), [](const Target& a, const Target& b) { return a.id < b.id; });
    return out;
}

namespace {

// What a listing shows of a submission: sendmail's envelope, not yet rewritten.
Envelope submitted_envelope(const std::string& id, const MaildropSubmission& s) {
    Envelope e;
    e.id = id;
    e.arrival = s.completed;
    e.submitter_uid = static_cast<std::uint32_t>(s.owner);
    e.submitter_name = look_up_submitter(e.submitter_uid).name;  // the name pickup will record
    e.sender = s.envelope.sender ? *s.envelope.sender : e.submitter_name;
    e.size = static_cast<std::uint64_t>(s.size);
    e.dsn = s.envelope.dsn;
    for (const std::string& r : s.envelope.recipients)
        e.recipients.push_back({r, r, RecipientState::pending, ""});
    e.last_error = "waiting to be picked up";
    return e;
}

}  // namespace

void QueueCommands::list_one(const Target& t, const Selection& selection,
                             std::optional<std::uint32_t> only_uid, ReplySink& sink) {
    if (t.in_maildrop) {
        auto submission = spool_.maildrop().peek(t.id);
        if (!submission) return;  // picked up meanwhile (then listed no more), or unsound
        if (only_uid && submission->owner != *only_uid) return;
        Envelope env = submitted_envelope(t.id, *submission);
        if (matches_patterns(selection, env)) sink.message({std::move(env), t.place, false, true});
        return;
    }
    auto env = spool_.load(t.place, t.id);
    if (!env) {
        // Reported and skipped: one bad file must not hide the rest of the queue.
        if (!only_uid && env.error().exit_code != EX_NOINPUT) sink.problem(env.error());
        return;
    }
    if (only_uid && env->submitter_uid != *only_uid) return;
    if (!matches_patterns(selection, *env)) return;
    sink.message({std::move(*env), t.place, deliveries_.in_flight(t.id)});
}

void QueueCommands::show(const std::string& id, ReplySink& sink) {
    auto place = find(id);
    if (!place) return sink.result({id, EX_NOINPUT, "no such message in the queue"});
    auto env = spool_.load(*place, id);
    if (!env) return sink.result({id, env.error().exit_code, env.error().message});
    auto content = spool_.open_content(*env);
    sink.message({std::move(*env), *place, deliveries_.in_flight(id)});
    if (!content) return sink.result({id, EX_IOERR, content.error().message});
    // The client reads on from the file position the descriptor carries.
    if (::lseek(content->fd.get(), static_cast<off_t>(content->offset), SEEK_SET) < 0)
        return sink.result(
            {id, EX_IOERR, fmt::format("cannot read data/{}: {}", id, errno_text(errno))});
    sink.content(std::move(content->fd));
}

std::vector<QueueCommands::Target> QueueCommands::targets(const Request& request, ReplySink& sink) {
    const Selection& sel = request.selection;
    std::vector<Target> out;
    auto matches = [&](const std::string& id, Place place) {
        if (!sel.has_patterns()) return true;
        auto env = spool_.load(place, id);
        if (!env) {
            sink.result({id, env.error().exit_code, env.error().message});
            return false;
        }
        return matches_patterns(sel, *env);
    };
    if (!sel.ids.empty()) {
        for (const std::string& id : sel.ids) {
            auto place = find(id);
            if (!place)
                sink.result({id, EX_NOINPUT, "no such message in the queue"});
            else if (matches(id, *place))
                out.push_back({id, *place});
        }
        return out;
    }
    if (!sel.all && !sel.has_patterns()) return out;
    for (Place place : source_places(request.action))
        for (const std::string& id : spool_.list(place))
            if (matches(id, place)) out.push_back({id, place});
    std::sort(out.begin(), out.end(), [](const Target& a, const Target& b) { return a.id < b.id; });
    return out;
}

std::vector<QueueCommands::Target> QueueCommands::select(const Request& request, ReplySink& sink) {
    if (request.action == Action::pause || request.action == Action::resume) {
        sink.result(request.action == Action::pause ? pause(request.reason) : resume());
        return {};
    }
    Request effective = request;
    if (request.action == Action::flush) {
        // A flush asks for deliveries now, which a pause forbids: say so rather than pretend.
        auto paused = spool_.pause_state();
        if (paused && *paused) {
            sink.problem(
                {EX_TEMPFAIL, fmt::format("deliveries {}; nothing is attempted until `nullrelay "
                                          "resume`",
                                          describe_pause(**paused))});
            return {};
        }
        deliveries_.pick_up();  // what was just submitted is flushed too
        if (effective.selection.empty()) effective.selection.all = true;  // plain `flush`
    }
    return targets(effective, sink);
}

bool QueueCommands::apply(const Request& request, const Target& target, ReplySink& sink) {
    bool wait = request.wait;
    Outcome o = change(request.action, target, wait);
    if (wait && o.code == EX_OK) {
        sink.waiting(target.id);
        return true;
    }
    sink.result(o);
    return false;
}

std::vector<std::string> QueueCommands::act(const Request& request, ReplySink& sink) {
    std::vector<std::string> pending;
    for (const Target& t : select(request, sink))
        if (apply(request, t, sink)) pending.push_back(t.id);
    return pending;
}

void QueueCommands::stats(ReplySink& sink) {
    QueueStats s = count_queue(spool_, deliveries_, now_seconds());
    s.counters = deliveries_.counters();
    for (const auto& [name, value] : stats_fields(s))
        sink.stat(name, value);
}

Outcome QueueCommands::pause(const std::string& reason) {
    if (Status st = check_pause_reason(reason); !st)
        return {std::string(kDeliveriesSubject), st.error().exit_code, st.error().message};
    DeliveryPause pause{now_seconds(), reason};
    auto state = spool_.pause_state();
    if (state && *state) pause.since = (*state)->since;  // paused already: since the first time
    if (Status st = spool_.pause(pause); !st)
        return {std::string(kDeliveriesSubject), st.error().exit_code, st.error().message};
    deliveries_.set_paused(true);
    return {std::string(kDeliveriesSubject), EX_OK, describe_pause(pause)};
}

Outcome QueueCommands::resume() {
    auto state = spool_.pause_state();
    if (state && !*state) return {std::string(kDeliveriesSubject), EX_OK, "not paused"};
    if (Status st = spool_.resume(); !st)
        return {std::string(kDeliveriesSubject), st.error().exit_code, st.error().message};
    deliveries_.set_paused(false);
    return {std::string(kDeliveriesSubject), EX_OK, "resumed"};
}

Outcome QueueCommands::change(Action action, const Target& t, bool& wait_for_it) {
    const bool waitable = std::exchange(wait_for_it, false);
    switch (action) {
        case Action::flush:
            if (t.place == Place::hold)
                return not_applicable(t.id, "on hold: release it to deliver it");
            if (t.place == Place::failed)
                return not_applicable(t.id, "failed: requeue it to deliver it again");
            wait_for_it = waitable;
            if (deliveries_.in_flight(t.id)) return {t.id, EX_OK, "being delivered now"};
            deliveries_.schedule(t.id, 0);
            return {t.id, EX_OK, "attempt scheduled"};
        case Action::hold:
            return hold(t);
        case Action::release:
            return release(t);
        case Action::remove:
            return remove(t);
        case Action::requeue:
            return requeue(t);
        case Action::list:
        case Action::show:
        case Action::stats:
        case Action::pause:
        case Action::resume:
            break;
    }
    return {t.id, EX_SOFTWARE, "not a queue-changing command"};
}

Outcome QueueCommands::hold(const Target& t) {
    if (t.place == Place::hold) return {t.id, EX_OK, "already on hold"};
    if (t.place == Place::failed) return not_applicable(t.id, "failed: nothing to hold");
    if (deliveries_.in_flight(t.id)) return {t.id, EX_TEMPFAIL, std::string(kInFlight)};
    if (Status st = spool_.move(t.id, Place::queue, Place::hold); !st)
        return {t.id, st.error().exit_code, st.error().message};
    deliveries_.unschedule(t.id);
    return {t.id, EX_OK, "placed on hold"};
}

Outcome QueueCommands::release(const Target& t) {
    if (t.place == Place::queue) return {t.id, EX_OK, "not on hold"};
    if (t.place == Place::failed)
        return not_applicable(t.id, "failed: requeue it to deliver it again");
    if (Status st = spool_.move(t.id, Place::hold, Place::queue); !st)
        return {t.id, st.error().exit_code, st.error().message};
    // Released mail is attempted at once: the admin wants it gone. (Without a daemon the
    // OfflineDeliveryState writes next_attempt 0 into the envelope; a daemon schedules it in
    // memory.)
    deliveries_.schedule(t.id, 0);
    return {t.id, EX_OK, "released"};
}

Outcome QueueCommands::remove(const Target& t) {
    if (t.place == Place::queue && deliveries_.in_flight(t.id))
        return {t.id, EX_TEMPFAIL, std::string(kInFlight)};
    if (Status st = spool_.remove(t.place, t.id); !st)
        return {t.id, st.error().exit_code, st.error().message};
    deliveries_.unschedule(t.id);
    deliveries_.forget(t.id);
    return {t.id, EX_OK, "deleted"};
}

Outcome QueueCommands::requeue(const Target& t) {
    if (t.place != Place::failed)
        return not_applicable(t.id, fmt::format("not failed (it is in {}/)", to_string(t.place)));
    auto env = spool_.load(Place::failed, t.id);
    if (!env) return {t.id, env.error().exit_code, env.error().message};
    // A fresh start: the failed recipients are tried again, the attempts count from zero and
    // the queue lifetime from now (otherwise an expired message would expire again at once).
    for (auto& r : env->recipients)
        if (r.state == RecipientState::bounced) r.state = RecipientState::pending;
    env->attempts = 0;
    env->next_attempt = 0;
    env->arrival = now_seconds();
    Status st = spool_.store(Place::failed, *env);
    if (st) st = spool_.move(t.id, Place::failed, Place::queue);
    if (!st) return {t.id, st.error().exit_code, st.error().message};
    deliveries_.schedule(t.id, 0);
    return {t.id, EX_OK, "requeued"};
}

Outcome QueueCommands::settle(const std::string& id) {
    auto place = find(id);
    if (!place) {
        std::string how = deliveries_.left_queue_as(id);
        if (how.starts_with("bounced"))
            return {id, EX_UNAVAILABLE, how + " (report sent to the sender)"};
        return {id, EX_OK, how.empty() ? "delivered" : how};
    }
    if (*place == Place::hold) return {id, EX_TEMPFAIL, "placed on hold meanwhile"};
    auto env = spool_.load(*place, id);
    if (!env) return {id, env.error().exit_code, env.error().message};
    auto reason = [&](RecipientState state) {
        for (const auto& r : env->recipients)
            if (r.state == state && !r.last_reply.empty()) return r.last_reply;
        return env->last_error.empty() ? std::string("reason unavailable") : env->last_error;
    };
    if (*place == Place::failed)
        return {id, EX_UNAVAILABLE, "failed: " + reason(RecipientState::bounced)};
    return {id, EX_TEMPFAIL, "deferred: " + reason(RecipientState::pending)};
}

}  // namespace nullrelay
