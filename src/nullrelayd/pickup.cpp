#include "nullrelayd/pickup.hpp"

#include <unistd.h>

#include <algorithm>
#include <optional>
#include <unordered_set>

#include <fmt/format.h>

#include "mail/address.hpp"
#include "mail/header_block.hpp"
#include "mail/message_normalizer.hpp"
#include "mail/mime_downgrade.hpp"
#include "nullrelayd/bounce.hpp"
#include "nullrelayd/message_cleanup.hpp"
#include "queue/maildrop.hpp"
#include "queue/maildrop_format.hpp"
#include "queue/queue_id.hpp"
#include "util/clock.hpp"
#include "util/durable_io.hpp"
#include "util/log.hpp"
#include "util/parallel_for.hpp"
#include "util/sys_error.hpp"
#include "util/text.hpp"

namespace nullrelay {

namespace {

constexpr size_t kChunk = 256 * 1024;
// Submissions of a batch read, converted and written at once: creating a file can wait for the
// disk, and the conversion of one overlaps another's wait.
constexpr size_t kParallelWriters = 4;
// Rewriting problems logged per message.
constexpr size_t kLoggedProblems = 10;
// A submission up to this size is converted in memory and queued as one file, its envelope
// first (Spool::stage_message); a larger one streams into data/<id>, its envelope beside it.
// Most are far smaller (cron output, alerts); this bounds the memory of the 4 writers and
// what every reader of the envelope may read past its end.
constexpr off_t kOneFileLimit = 64 * 1024;

// Where the converted content goes: data/<id> as it is written, or memory.
class ContentOut {
  public:
    ContentOut(int fd, std::string name) : fd_(fd), name_(std::move(name)) {}
    explicit ContentOut(std::string& memory) : memory_(&memory) {}

    Status write(std::string_view bytes) {
        if (memory_) {
            memory_->append(bytes);
            return ok_status();
        }
        return write_all(fd_, bytes, name_);
    }
    // Empties it, for the conversion pass.
    Status restart() {
        if (memory_) {
            memory_->clear();
            return ok_status();
        }
        if (::ftruncate(fd_, 0) != 0 || ::lseek(fd_, 0, SEEK_SET) < 0)
            return Error{EX_IOERR,
                         fmt::format("cannot rewrite {} as 7-bit: {}", name_, errno_text(errno))};
        return ok_status();
    }

  private:
    int fd_ = -1;
    std::string name_;
    std::string* memory_ = nullptr;
};

// Streams the message from `in` (starting with `head`, bytes already read; then `read_size`
// bytes at a time) into `out`,
// normalising line endings, cleaning up the header section and passing the result through
// `seven_bit` (the 7-bit downgrade: a look in its first pass, the conversion in its second).
// Returns the bytes written. EX_DATAERR when the message breaks a limit sendmail applies (it
// was submitted under other limits, or not through sendmail): its content is never cut.
// `cleaned_header`: the header section as cleaned up by the first pass, reused by the second
// (the addresses are not rewritten twice, and the header is the same in both).
Result<std::uint64_t> copy_content(int in, std::string_view head, size_t read_size, ContentOut& out,
                                   const CleanupContext& ctx, std::uint64_t limit,
                                   MimeDowngrade& seven_bit,
                                   std::optional<std::string>& cleaned_header) {
    MessageNormalizer normalizer({});
    std::string pending, outbuf, normalized;
    std::uint64_t taken = 0, written = 0;  // normalised bytes in, bytes out
    bool headers_done = false;
    auto flush = [&](bool force) -> Status {
        if (seven_bit.error()) return *seven_bit.error();
        if (outbuf.size() < kChunk && !force) return ok_status();
        written += outbuf.size();
        Status st = out.write(outbuf);
        outbuf.clear();
        return st;
    };
    // Measured as sendmail measures it: the message as submitted, before the fields that
    // pickup adds, so what sendmail took is never refused here for those.
    auto feed = [&](std::string_view bytes) -> Status {
        normalized.clear();
        std::string& to = headers_done ? normalized : pending;
        size_t before = to.size();
        normalizer.feed(bytes, to);
        taken += to.size() - before;
        if (taken > limit)
            return Error{EX_DATAERR,
                         fmt::format("message larger than max_message_size ({} bytes)", limit)};
        if (headers_done) seven_bit.feed(normalized, outbuf);
        return ok_status();
    };
    // The header section, once complete: cleaned up, then the body so far. Never cut.
    auto take_headers = [&](bool at_end) -> Status {
        auto section = HeaderBlock::section_size(pending);
        if ((section ? *section : pending.size()) > kHeaderSectionLimit)
            return Error{EX_DATAERR, fmt::format("header section larger than {} KiB",
                                                 kHeaderSectionLimit / 1024)};
        if (!section && !at_end) return ok_status();
        size_t body_offset = 0;
        std::string_view text(pending);
        HeaderBlock headers = HeaderBlock::parse(text, &body_offset);
        std::string_view body = text.substr(body_offset);
        if (!cleaned_header) {
            clean_up_headers(headers, ctx);
            cleaned_header = headers.serialize(headers.had_separator() || !body.empty());
        }
        seven_bit.feed(*cleaned_header, outbuf);
        seven_bit.feed(body, outbuf);
        pending.clear();
        headers_done = true;
        return ok_status();
    };
    std::string buffer;  // allocated (and zeroed) once, as large as the rest of the file
    std::string_view chunk = head;
    for (;;) {
        if (Status st = feed(chunk); !st) return st.error();
        if (!headers_done)
            if (Status st = take_headers(false); !st) return st.error();
        if (Status st = flush(false); !st) return st.error();
        if (buffer.empty()) buffer.resize(read_size);
        ssize_t n;
        do
            n = ::read(in, buffer.data(), buffer.size());
        while (n < 0 && errno == EINTR);
        if (n < 0) return Error{EX_IOERR, fmt::format("read error: {}", errno_text(errno))};
        if (n == 0) break;
        chunk = std::string_view(buffer.data(), static_cast<size_t>(n));
    }
    normalized.clear();
    normalizer.finish(headers_done ? normalized : pending);
    if (headers_done)
        seven_bit.feed(normalized, outbuf);
    else if (Status st = take_headers(true); !st)
        return st.error();
    seven_bit.finish(outbuf);
    if (Status st = flush(true); !st) return st.error();
    return written;
}

// Copies the message (docs/queue.md, "7-bit on the wire"): a first pass writes it as it is
// and looks; a message with 8-bit octets or long lines is then read again from the maildrop
// file and written over, converted.
Result<std::uint64_t> copy_content_7bit(int in, const std::string& head, size_t content_offset,
                                        size_t read_size, ContentOut& out,
                                        const CleanupContext& ctx, std::uint64_t limit,
                                        std::optional<Unsendable>& unsendable) {
    MimeDowngrade seven_bit;
    std::optional<std::string> cleaned_header;
    auto size = copy_content(in, std::string_view(head).substr(content_offset), read_size, out, ctx,
                             limit, seven_bit, cleaned_header);
    if (!size) return size;
    unsendable = seven_bit.unsendable();
    if (!seven_bit.needs_conversion()) return size;
    if (::lseek(in, static_cast<off_t>(head.size()), SEEK_SET) < 0)
        return Error{EX_IOERR,
                     fmt::format("cannot read the submission again: {}", errno_text(errno))};
    if (Status st = out.restart(); !st) return st.error();
    seven_bit.start_conversion();
    return copy_content(in, std::string_view(head).substr(content_offset), read_size, out, ctx,
                        limit, seven_bit, cleaned_header);
}

std::string budget_text(const RewriteBudget& budget) {
    return fmt::format(
        "rewriting its addresses took more than {} s of CPU (too many recipients for the "
        "alias map's rules); send it to fewer recipients at once",
        budget.limit().count() / 1000);
}

}  // namespace

PickupResult Pickup::prepare(const std::string& name) const {
    using Kind = PickupResult::Kind;
    const Maildrop& maildrop = spool_.maildrop();
    using State = MaildropEntry::State;
    MaildropEntry file = maildrop.open(name);
    // Refused for good: kept for the admin, and the submitter hears of it (sendmail told them
    // "queued"): never only a file in corrupt/ and a log line.
    auto quarantine = [&](std::string why) {
        Status st = maildrop.quarantine(name);
        if (!st) return PickupResult{Kind::failed, why + "; " + st.error().message, {}};
        PickupResult r{Kind::quarantined, why, {}};
        RefusedSubmission refused{name, submitters_.get(file.owner).name, file.owner, why};
        auto notice = queue_refusal_notice(spool_, config_, rewriter_, refused, now_seconds());
        if (notice)
            r.notice = *notice;
        else
            r.detail += "; cannot queue the notice to the submitter: " + notice.error().message;
        return r;
    };
    switch (file.state) {
        case State::complete:
            break;
        case State::being_written:
            return {Kind::not_ready, "", {}};
        case State::abandoned:
            // detail: "empty" when nothing was written (sendmail -bp, -q... give their file up).
            return {Kind::removed_abandoned, file.was_empty ? "empty" : "", {}};
        case State::gone:
            return {Kind::gone, "", {}};
        case State::hostile:
            return quarantine(file.problem);
        case State::unreadable:
            return {Kind::failed, file.problem, {}};
    }
    const int fd = file.fd.get();
    // A crash after the queue commit but before the maildrop unlink: it is queued already.
    for (Place p : {Place::queue, Place::hold, Place::failed}) {
        if (spool_.exists(p, name)) {
            maildrop.remove(name);
            return {Kind::gone, "already queued", {}};
        }
    }
    if (static_cast<std::uint64_t>(file.size) > config_.max_message_size + kMaildropHeaderLimit)
        return quarantine("larger than max_message_size");
    // The copy must leave half the reserve: the rest of it is for envelope updates and bounces,
    // which must never fail for want of room (a retry after a lost update duplicates mail).
    if (std::uint64_t free = spool_.free_bytes(),
        need = config_.spool_reserve() / 2 + static_cast<std::uint64_t>(file.size);
        free < need)
        return {Kind::no_room,
                fmt::format("the spool's file system has {} KiB free; taking this submission "
                            "needs {} KiB (half of queue_minfree, plus its size)",
                            free / 1024, need / 1024),
                {}};

    // Read until the envelope header is complete.
    std::string head;
    size_t content_offset = 0;
    // Buffers as large as the file (it is complete: nobody writes it any more), within limits:
    // zeroing 64 KiB and more per message for a 1 KiB file showed in a cold start's profile.
    const size_t read_size = std::clamp(static_cast<size_t>(file.size) + 1, size_t{4096}, kChunk);
    for (;;) {
        size_t old = head.size();
        const size_t step = std::min(read_size, size_t{65536});
        head.resize(old + step);
        ssize_t n = ::read(fd, head.data() + old, step);
        if (n < 0 && errno == EINTR) {
            head.resize(old);
            continue;
        }
        head.resize(old + static_cast<size_t>(std::max<ssize_t>(n, 0)));
        if (n < 0) return {Kind::failed, fmt::format("read error: {}", errno_text(errno)), {}};
        if (head.find("\ncontent\n") != std::string::npos || n == 0 ||
            head.size() > kMaildropHeaderLimit + 65536)
            break;
    }
    auto md = parse_maildrop_header(head, &content_offset);
    if (!md) return quarantine(md.error().message);

    RewriteBudget budget;  // this thread's CPU time, from here
    Submitter who = submitters_.get(file.owner);
    Envelope env;
    env.id = name;
    env.arrival = file.completed;
    env.submitter_uid = file.owner;
    env.submitter_name = who.name;
    // A rewriting problem (an alias loop...) is logged; the address concerned went to its
    // fallback (address_rewriter.hpp), so the message goes on.
    Rewritten sender = rewriter_.sender(md->sender ? *md->sender : who.name, nullptr, &budget);
    if (!sender.problem.empty()) log_warning("{}: sender: {}", name, sender.problem);
    env.sender = sender.addresses.front();
    const std::string submitted_sender = md->sender ? *md->sender : who.name;
    if (submitted_sender != env.sender) env.sender_original = submitted_sender;
    env.dsn = md->dsn;
    if (md->queue_only) env.next_attempt = env.arrival + config_.retry_min.count();
    std::unordered_set<std::string> seen;  // lowercased; a linear search was quadratic
    size_t problems = 0;
    for (const auto& r : md->recipients) {
        if (budget.spent()) break;
        Rewritten to = rewriter_.recipient(r, nullptr, &budget);
        // A few lines tell the admin what went wrong; 10,000 would only bury the log.
        if (!to.problem.empty() && ++problems <= kLoggedProblems)
            log_warning("{}: to=<{}>: {}{}", name, one_line(r), to.problem,
                        problems == kLoggedProblems ? " (more like this are not logged)" : "");
        // One RCPT per address: root and www-data that both alias to the admin send one copy.
        // The first recipient that led to it stays its original (orig_to=, bounces).
        for (auto& a : to.addresses)
            if (seen.insert(to_lower(a)).second)
                env.recipients.push_back({std::move(a), r, RecipientState::pending, ""});
    }
    // Refused, not sent to the fallback addresses: the cost is the message's, not the map's.
    if (budget.spent()) return quarantine(budget_text(budget));
    if (!env.sender.empty() && !is_valid_envelope_address(env.sender))
        return quarantine("sender is not a valid address after rewriting");
    for (const auto& r : env.recipients)
        if (!is_valid_envelope_address(r.address))
            return quarantine("recipient is not a valid address after rewriting");

    CleanupContext ctx;
    ctx.queue_id = name;
    ctx.hostname = config_.hostname;
    ctx.sender = env.sender;
    ctx.full_name = !md->full_name.empty() ? md->full_name : (md->sender ? "" : who.gecos_name);
    ctx.arrival = env.arrival;
    ctx.rewriter = &rewriter_;
    ctx.budget = &budget;
    if (config_.received_header) ctx.submitter_uid = file.owner;

    // A small one is converted in memory and written once, after its envelope; a large one
    // streams into data/<id>.
    const bool one_file = file.size <= kOneFileLimit;
    std::string memory;
    StagedContent content;
    if (!one_file) {
        auto created = spool_.stage_content(name);
        if (!created) return {Kind::failed, created.error().message, {}};
        content = std::move(*created);
    }
    ContentOut out =
        one_file ? ContentOut(memory) : ContentOut(content.fd(), fmt::format("data/{}", name));
    std::optional<Unsendable> unsendable;
    auto size = copy_content_7bit(fd, head, content_offset, read_size, out, ctx,
                                  config_.max_message_size, unsendable);
    if (!size) {
        spool_.discard_content(name);  // the maildrop file stays for a retry or the admin
        if (size.error().exit_code == EX_DATAERR) return quarantine(size.error().message);
        return {Kind::failed, size.error().message, {}};
    }
    if (budget.spent()) {
        spool_.discard_content(name);
        return quarantine(budget_text(budget));
    }
    env.size = *size;
    // Its own header cannot go on the wire without SMTPUTF8: it is bounced at its first
    // attempt (delivery.hpp), not sent broken.
    if (unsendable) env.unsendable = unsendable->status + " " + unsendable->reason;
    // Its envelope is then in data/<id> too (content_offset set): commit() links it into queue/.
    if (one_file) {
        auto staged = spool_.stage_message(env, memory);
        if (!staged) return {Kind::failed, staged.error().message, {}};
        content = std::move(*staged);
    } else {
        start_writeback(content.fd());
    }
    PickupResult staged{Kind::staged, "", std::move(env)};
    staged.content = std::move(content);
    return staged;
}

void Pickup::commit(std::vector<PickupResult>& batch) {
    using Kind = PickupResult::Kind;
    std::vector<PickupResult*> staged;
    std::vector<Spool::Staged> files;
    for (auto& r : batch)
        if (r.kind == Kind::staged) {
            staged.push_back(&r);
            files.push_back({&r.envelope, std::move(r.content)});
        }
    if (staged.empty()) return;
    std::vector<Status> queued = spool_.queue_staged(std::move(files));
    // Queued for good, the maildrop copies may go (a crash before an unlink is caught by the
    // already-queued check in prepare()); the others stay for a retry.
    for (size_t i = 0; i < staged.size(); ++i) {
        PickupResult& r = *staged[i];
        if (!queued[i]) {
            r = {Kind::failed, queued[i].error().message, {}};
            continue;
        }
        spool_.maildrop().remove(r.envelope.id);
        r.kind = Kind::queued;
    }
}

std::vector<PickupResult> Pickup::take(const std::vector<std::string>& names) {
    std::vector<PickupResult> batch(names.size());
    submitters_.forget();
    parallel_for(names.size(), kParallelWriters, [&](size_t i) { batch[i] = prepare(names[i]); });
    commit(batch);
    return batch;
}

PickupResult Pickup::take(const std::string& name) {
    return std::move(take(std::vector<std::string>{name}).front());
}

}  // namespace nullrelay
