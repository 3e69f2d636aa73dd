#include "nullrelayd/delivery_outcome.hpp"

#include <fmt/format.h>

#include "util/text.hpp"

namespace nullrelay {

namespace {

Verdict verdict_for(int code) {
    if (code >= 200 && code < 300) return Verdict::sent;
    if (code >= 500 && code < 600) return Verdict::bounced;
    return Verdict::deferred;  // 4xx, and anything unexpected: never lose mail on a guess
}

const SmtpExchange* find_command(const std::vector<SmtpExchange>& ex, std::string_view prefix) {
    for (const auto& e : ex)
        if (e.command.starts_with(prefix)) return &e;
    return nullptr;
}

std::vector<std::string_view> split_status(std::string_view s) {
    std::vector<std::string_view> parts;
    for (;;) {
        size_t dot = s.find('.');
        parts.push_back(s.substr(0, dot));
        if (dot == std::string_view::npos) return parts;
        s.remove_prefix(dot + 1);
    }
}

}  // namespace

std::string enhanced_status(int code, std::string_view reply) {
    // The text after the code: "550 5.1.1 ..." or "550-5.1.1 ..."
    if (reply.size() > 4) {
        std::string_view t = reply.substr(4);
        size_t end = t.find_first_of(" \n");
        std::string_view cand = t.substr(0, end);
        // class "." subject "." detail, 1-3 digits each (RFC 3463); class matches the code
        auto parts = split_status(cand);
        bool ok = parts.size() == 3 && cand[0] == static_cast<char>('0' + code / 100) &&
                  (cand[0] == '2' || cand[0] == '4' || cand[0] == '5');
        for (std::string_view p : parts)
            ok = ok && !p.empty() && p.size() <= 3 &&
                 p.find_first_not_of("0123456789") == std::string_view::npos;
        if (ok) return std::string(cand);
    }
    return fmt::format("{}.0.0", code >= 200 && code < 600 ? code / 100 : 4);
}

AttemptVerdict decide_outcome(const SmtpAttempt& a, size_t n) {
    AttemptVerdict v;
    v.recipients.resize(n);
    const auto& ex = a.exchanges;
    const SmtpExchange* mail = find_command(ex, "MAIL FROM");
    const SmtpExchange* data = find_command(ex, "DATA");
    const SmtpExchange* final_reply = nullptr;
    std::vector<const SmtpExchange*> rcpt;
    for (size_t i = 0; i < ex.size(); ++i) {
        if (ex[i].command.starts_with("RCPT TO")) rcpt.push_back(&ex[i]);
        if (data && &ex[i] > data && ex[i].command.empty()) final_reply = &ex[i];
    }
    auto set_all = [&](Verdict verdict, int code, const std::string& reply) {
        for (auto& r : v.recipients)
            r = {verdict, code ? enhanced_status(code, reply) : "4.4.0", reply};
    };
    // One reply that speaks for every recipient that RCPT accepted. A recipient with no RCPT
    // reply of its own (the transcript lost it, or the list was cut short) was never accepted
    // by the smarthost as far as we know: it is tried again, never taken as sent.
    auto apply_to_accepted = [&](const SmtpExchange& e) {
        for (size_t i = 0; i < n; ++i) {
            const SmtpExchange* r = i < rcpt.size() ? rcpt[i] : nullptr;
            if (!r) {
                v.recipients[i] = {Verdict::deferred, "4.4.0",
                                   "no reply to RCPT TO for this recipient; trying again later"};
                continue;
            }
            const SmtpExchange& says = verdict_for(r->code) != Verdict::sent ? *r : e;
            v.recipients[i] = {verdict_for(says.code), enhanced_status(says.code, says.reply),
                               says.reply};
        }
    };

    // The reply after the data is the smarthost's verdict on the message. A 2xx is final
    // even when the connection failed afterwards (QUIT unanswered, a reset on close): the
    // message was taken, and sending it again would duplicate it.
    if (final_reply && final_reply->code / 100 == 2) {
        apply_to_accepted(*final_reply);
        v.summary = "";
        for (const auto& r : v.recipients)
            if (r.verdict != Verdict::sent) v.summary = r.reply;
        return v;
    }
    if (final_reply && final_reply->code >= 400) {
        apply_to_accepted(*final_reply);
        v.summary = final_reply->reply;
        return v;
    }
    if (data && data->code >= 400) {
        apply_to_accepted(*data);
        v.summary = data->reply;
        return v;
    }
    if (rcpt.size() == n && n > 0 && mail && mail->code / 100 == 2 && !data) {
        // Every RCPT was refused (with ALLLOWFAILS libcurl sends DATA while any succeeds).
        bool all_refused = true;
        for (auto* r : rcpt)
            all_refused = all_refused && r->code >= 400;
        if (all_refused) {
            for (size_t i = 0; i < n; ++i)
                v.recipients[i] = {verdict_for(rcpt[i]->code),
                                   enhanced_status(rcpt[i]->code, rcpt[i]->reply), rcpt[i]->reply};
            v.summary = rcpt.back()->reply;
            return v;
        }
    }
    if (mail && mail->code >= 400) {
        set_all(verdict_for(mail->code), mail->code, mail->reply);
        v.summary = mail->reply;
        v.try_next_host = mail->code == 421;  // the server is closing: not about the message
        return v;
    }
    // No verdict on the message: connection, TLS, greeting, EHLO or AUTH trouble, a timeout,
    // or the connection lost during the transaction. Defer everything.
    std::string why = a.error.empty() ? "the transfer failed" : a.error;
    if (!ex.empty() && ex.back().code >= 400 && !a.refused_without_auth)
        why = fmt::format("{} ({})", why, ex.back().reply);
    v.summary = one_line(fmt::format("{}: {}", a.relay, why));
    set_all(Verdict::deferred, 0, v.summary);
    v.try_next_host = mail == nullptr || mail->code == 0 || mail->code == 421;
    return v;
}

}  // namespace nullrelay
