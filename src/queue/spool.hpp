// The queue: the one module that knows the spool's layout and moves messages between its
// places. docs/queue.md has the states, who moves a message between them, and the crash
// argument for each move.
//
//   maildrop/<id>   submitted by nullrelay-sendmail, not yet picked up (hostile input)
//   data/<id>       message content, CRLF, immutable once its envelope exists
//   queue/<id>      envelope of a message waiting for delivery
//   hold/<id>       envelope of a message put on hold by the admin
//   failed/<id>     envelope of a message that could not be delivered nor bounced
//   corrupt/<name>  maildrop files that failed validation, kept for the admin to inspect
//   paused          there while the admin has paused deliveries
//
// maildrop/ and corrupt/ belong to the Maildrop (maildrop.hpp), which the Spool opens with
// the rest.
// A message exists once its envelope is in queue/, hold/ or failed/ (exactly one of them);
// a data file without an envelope is an orphan from an interrupted pickup.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "queue/delivery_pause.hpp"
#include "queue/envelope.hpp"
#include "queue/maildrop.hpp"
#include "queue/spool_layout.hpp"
#include "util/durable_io.hpp"
#include "util/result.hpp"
#include "util/unique_fd.hpp"

namespace nullrelay {

enum class Place { queue, hold, failed };
std::string_view to_string(Place place);

// Content pickup has written to data/<id>, not yet durable nor named by any envelope. Only
// Spool::queue_staged() takes it further, and it fsyncs the file first: no caller can queue
// content that a crash could still lose.
class StagedContent {
  public:
    StagedContent() = default;
    // For the caller streaming a large message in (stage_content).
    int fd() const { return fd_.get(); }

  private:
    friend class Spool;
    StagedContent(std::string id, UniqueFd fd, bool holds_envelope)
        : id_(std::move(id)), fd_(std::move(fd)), holds_envelope_(holds_envelope) {}
    std::string id_;
    UniqueFd fd_;
    bool holds_envelope_ = false;  // stage_message: the envelope is in the file, before it
};

class Spool {
  public:
    // Opens an existing spool.
    static Result<Spool> open(const std::string& root);
    // Creates the directories (for tests and the installer; the installer sets owners).
    static Status create(const std::string& root);

    const SpoolLayout& layout() const { return layout_; }
    const Maildrop& maildrop() const { return maildrop_; }

    // Bytes free on the spool's file system (for the queue_minfree reserve).
    std::uint64_t free_bytes() const;

    // Ids in one place, oldest first. Names that are not queue ids are ignored.
    std::vector<std::string> list(Place place) const;
    bool exists(Place place, const std::string& id) const;

    Result<Envelope> load(Place place, const std::string& id) const;
    // Writes the envelope atomically (tmp, fsync, rename, directory fsync).
    Status store(Place place, const Envelope& envelope);
    // The same without the directory fsync, for a batch sharing one: the envelope is durable
    // (and the message exists after a crash) only once sync(place) has returned ok.
    Status store_unsynced(Place place, const Envelope& envelope);
    Status sync(Place place);
    Status move(const std::string& id, Place from, Place to);
    // Removes the envelope, then the content. Used only once the message is delivered or its
    // bounce is queued, or on the admin's explicit delete.
    Status remove(Place place, const std::string& id);
    // The same in two steps, for delivery threads: retire() renames queue/<id> to
    // queue/.<id>.done (the message has left the queue), purge_retired() later unlinks that
    // and data/<id>. Unlinking frees blocks, which can wait for the disk (online discard);
    // the delivery thread does not wait for it. Leftovers are removed by remove_orphans().
    Status retire(const std::string& id);
    void purge_retired(const std::string& id);

    // Moves a queued message that can never be delivered (its envelope does not parse, its
    // content is gone) aside for the admin: queue/<id> to corrupt/<id>.envelope, data/<id> to
    // corrupt/<id>.data, whichever exist. Never deleted.
    Status quarantine(Place place, const std::string& id);

    // Content: created during pickup, then read for delivery. open_content fails with
    // EX_NOINPUT when the file is gone, EX_TEMPFAIL when the error may pass (EMFILE, ENOMEM).
    Result<UniqueFd> create_content(const std::string& id);
    Status sync_content_dir();
    // Pickup's two steps (docs/queue.md). First each message's content goes to data/<id>, its
    // writeback started: stage_message() writes a small message as one file, its envelope
    // before its content (envelope.content_offset says where that starts); stage_content()
    // creates the file of a large one, which the caller streams in.
    Result<StagedContent> stage_message(Envelope& envelope, std::string_view content);
    Result<StagedContent> stage_content(const std::string& id);
    // Then queue_staged() queues a batch of them: fsyncs every file (several at a time, so
    // they share journal commits), then data/, then gives each message its queue/<id> (a link
    // to a one-file message, or its envelope stored beside its content), then fsyncs queue/.
    // One status per message, in order: ok, it is queued for good; an error, nothing of it is
    // left in data/ or queue/. The first state change of a one-file message stores a separate
    // envelope over its link; data/<id> keeps the content where it was.
    struct Staged {
        const Envelope* envelope;  // its id names the content
        StagedContent content;
    };
    std::vector<Status> queue_staged(std::vector<Staged> batch);
    // The fsync queue_staged() calls: fsync_fd, unless a test hands one that fails the way a
    // disk can (EIO), to prove that such a failure loses nothing.
    using Fsync = std::function<Status(int fd, std::string_view what)>;
    void set_fsync(Fsync fsync) { fsync_ = std::move(fsync); }
    // Removes a data file that never got an envelope (a pickup that failed half way).
    void discard_content(const std::string& id);
    // The message's content, for reading from `offset` on: past the envelope of a message
    // queued as one file, which never goes on the wire, into a bounce or to `show`.
    struct Content {
        UniqueFd fd;
        std::uint64_t offset = 0;
    };
    Result<Content> open_content(const Envelope& envelope) const;

    // Queues a message the daemon wrote itself (a bounce): gives it a new id, writes and
    // fsyncs data/<id>, then stores the envelope in queue/. Returns the id. When it returns
    // ok the message is durable; on error nothing of it is left.
    Result<std::string> enqueue(Envelope envelope, std::string_view content);

    // Removes data files without an envelope, leftover temporary files and retired envelopes. Only
    // the one process that holds the spool lock may call it (see lock()).
    void remove_orphans();

    // The admin's pause of deliveries (nullrelay pause): none when the file is absent. Written
    // and removed durably by the process that holds the spool lock (the daemon, or root
    // without one); read by anyone who may read the spool.
    Result<std::optional<DeliveryPause>> pause_state() const;
    Status pause(const DeliveryPause& pause);
    Status resume();

    // The daemon's lock: one process at a time moves queued messages. Returns an invalid fd
    // when another process holds it and `wait` is false.
    Result<UniqueFd> lock(bool wait) const;

  private:
    int place_fd(Place place) const;
    Status publish_staged(const Staged& staged);

    SpoolLayout layout_{""};
    Maildrop maildrop_;
    UniqueFd data_, queue_, hold_, failed_, corrupt_;
    Fsync fsync_ = fsync_fd;
};

}  // namespace nullrelay
