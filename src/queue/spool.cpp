#include "queue/spool.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <set>

#include <fmt/format.h>

#include "queue/directory.hpp"
#include "queue/queue_id.hpp"
#include "util/durable_io.hpp"
#include "util/parallel_for.hpp"
#include "util/sys_error.hpp"

namespace nullrelay {

namespace {

constexpr size_t kEnvelopeSizeLimit = 16 * 1024 * 1024;
// Files of a batch fsynced or named at once: mostly waiting for the disk, which takes several
// requests at a time better than one after the other.
constexpr size_t kParallelSyncs = 4;

std::vector<std::string> directory_ids(int dirfd) {
    std::vector<std::string> ids;
    for (std::string& name : directory_names(dirfd))
        if (is_valid_queue_id(name)) ids.push_back(std::move(name));
    return ids;
}

}  // namespace

std::string_view to_string(Place place) {
    switch (place) {
        case Place::queue:
            return "queue";
        case Place::hold:
            return "hold";
        case Place::failed:
            return "failed";
    }
    return "queue";
}

Status Spool::create(const std::string& root) {
    SpoolLayout layout(root);
    std::vector<std::string> paths = {root};
    for (SpoolDir dir : kAllSpoolDirs)
        paths.push_back(layout.path(dir));
    for (const std::string& path : paths)
        if (::mkdir(path.c_str(), 0755) != 0 && errno != EEXIST)
            return Error{EX_CANTCREAT,
                         fmt::format("cannot create {}: {}", path, errno_text(errno))};
    return ok_status();
}

Result<Spool> Spool::open(const std::string& root) {
    Spool s;
    s.layout_ = SpoolLayout(root);
    auto open = [&](SpoolDir dir) { return open_dir(s.layout_.path(dir)); };
    std::pair<UniqueFd*, SpoolDir> dirs[] = {{&s.data_, SpoolDir::data},
                                             {&s.queue_, SpoolDir::queue},
                                             {&s.hold_, SpoolDir::hold},
                                             {&s.failed_, SpoolDir::failed}};
    for (auto& [fd, dir] : dirs) {
        auto d = open(dir);
        if (!d) return d.error();
        *fd = std::move(*d);
    }
    auto maildrop = open(SpoolDir::maildrop);
    if (!maildrop) return maildrop.error();
    auto corrupt = open(SpoolDir::corrupt);
    if (!corrupt) return corrupt.error();
    s.corrupt_.reset(::dup(corrupt->get()));
    if (!s.corrupt_.valid())
        return Error{EX_OSERR, fmt::format("cannot open {}: {}", s.layout_.path(SpoolDir::corrupt),
                                           errno_text(errno))};
    s.maildrop_ =
        Maildrop(s.layout_.path(SpoolDir::maildrop), std::move(*maildrop), std::move(*corrupt));
    return s;
}

int Spool::place_fd(Place place) const {
    switch (place) {
        case Place::queue:
            return queue_.get();
        case Place::hold:
            return hold_.get();
        case Place::failed:
            return failed_.get();
    }
    return queue_.get();
}

std::uint64_t Spool::free_bytes() const {
    return nullrelay::free_bytes(data_.get());
}

std::vector<std::string> Spool::list(Place place) const {
    return directory_ids(place_fd(place));
}

bool Spool::exists(Place place, const std::string& id) const {
    struct stat st;
    return ::fstatat(place_fd(place), id.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0;
}

namespace {

// The envelope at the start of an open queue file, read only as far as its `end` line: what
// follows it, in a file pickup queued as one (stage_message), is the message content. Sets
// `followed` when bytes follow the envelope.
Result<std::string> read_envelope_text(int fd, const std::string& name, bool& followed) {
    std::string out;
    char buf[8192];
    followed = false;
    for (;;) {
        auto n = read_some(fd, buf, sizeof buf, name);
        if (!n) return n.error();
        if (*n == 0) return out;
        const size_t searched = out.size();
        out.append(buf, *n);
        if (auto end = envelope_length(out, searched)) {
            followed = *end < out.size();
            if (!followed) {  // the envelope filled the read exactly: is there more?
                char next;
                auto more = read_some(fd, &next, 1, name);
                if (!more) return more.error();
                followed = *more > 0;
            }
            out.resize(*end);
            return out;
        }
        if (out.size() > kEnvelopeSizeLimit)
            return Error{EX_DATAERR,
                         fmt::format("{} is larger than {} bytes", name, kEnvelopeSizeLimit)};
    }
}

}  // namespace

Result<Envelope> Spool::load(Place place, const std::string& id) const {
    if (!is_valid_queue_id(id)) return Error{EX_DATAERR, fmt::format("'{}' is not a queue id", id)};
    const std::string name = fmt::format("{}/{}", to_string(place), id);
    UniqueFd fd(::openat(place_fd(place), id.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
    if (!fd.valid()) {
        int err = errno;
        return Error{err == ENOENT ? EX_NOINPUT : EX_IOERR,
                     fmt::format("cannot open {}: {}", name, errno_text(err))};
    }
    bool followed = false;
    auto text = read_envelope_text(fd.get(), name, followed);
    if (!text) return text.error();
    auto env = parse_envelope(*text);
    if (!env)
        return Error{EX_DATAERR,
                     fmt::format("corrupt queue file {}: {}", name, env.error().message)};
    if (env->id != id)
        return Error{EX_DATAERR, fmt::format("queue file {} names another id", name)};
    // Only the content of a message queued as one file may follow its envelope (when that
    // read ended exactly at the envelope's end, there may be nothing after it: that is fine).
    if (followed && env->content_offset != text->size())
        return Error{EX_DATAERR,
                     fmt::format("corrupt queue file {}: data after the end record", name)};
    return env;
}

Status Spool::store(Place place, const Envelope& envelope) {
    if (Status st = store_unsynced(place, envelope); !st) return st;
    return sync(place);
}

Status Spool::store_unsynced(Place place, const Envelope& envelope) {
    auto text = serialize_envelope(envelope);
    if (!text) return text.error();
    return replace_file_unsynced(place_fd(place), "." + envelope.id + ".tmp", envelope.id, *text,
                                 0600);
}

Status Spool::sync(Place place) {
    return fsync_fd(place_fd(place), fmt::format("{} directory", to_string(place)));
}

Status Spool::move(const std::string& id, Place from, Place to) {
    if (::renameat(place_fd(from), id.c_str(), place_fd(to), id.c_str()) != 0) {
        int err = errno;
        return Error{err == ENOENT ? EX_NOINPUT : EX_IOERR,
                     fmt::format("cannot move {} from {} to {}: {}", id, to_string(from),
                                 to_string(to), errno_text(err))};
    }
    // The new name first: a crash after that leaves the message in `to` (or in both, which
    // recovery resolves in favour of the place named in docs/queue.md), never in neither.
    if (Status st = fsync_fd(place_fd(to), to_string(to)); !st) return st;
    return fsync_fd(place_fd(from), to_string(from));
}

Status Spool::remove(Place place, const std::string& id) {
    if (::unlinkat(place_fd(place), id.c_str(), 0) != 0 && errno != ENOENT)
        return Error{EX_IOERR, fmt::format("cannot remove {}/{}: {}", to_string(place), id,
                                           errno_text(errno))};
    if (::unlinkat(data_.get(), id.c_str(), 0) != 0 && errno != ENOENT)
        return Error{EX_IOERR, fmt::format("cannot remove data/{}: {}", id, errno_text(errno))};
    return ok_status();
}

namespace {
std::string retired_name(const std::string& id) {
    return "." + id + ".done";
}
}  // namespace

Status Spool::retire(const std::string& id) {
    if (::renameat(queue_.get(), id.c_str(), queue_.get(), retired_name(id).c_str()) != 0)
        return Error{EX_IOERR, fmt::format("cannot retire queue/{}: {}", id, errno_text(errno))};
    return ok_status();
}

void Spool::purge_retired(const std::string& id) {
    // The content first: once the envelope is gone, nothing of the message is left.
    ::unlinkat(data_.get(), id.c_str(), 0);
    ::unlinkat(queue_.get(), retired_name(id).c_str(), 0);
}

Result<UniqueFd> Spool::create_content(const std::string& id) {
    UniqueFd fd(::openat(data_.get(), id.c_str(),
                         O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600));
    if (!fd.valid())
        return Error{errno == ENOSPC ? EX_TEMPFAIL : EX_IOERR,
                     fmt::format("cannot create data/{}: {}", id, errno_text(errno))};
    return fd;
}

Result<StagedContent> Spool::stage_message(Envelope& envelope, std::string_view content) {
    auto text = serialize_envelope_before_content(envelope);
    if (!text) return text.error();
    auto fd = create_content(envelope.id);
    if (!fd) return fd.error();
    text->append(content);
    if (Status st = write_all(fd->get(), *text, fmt::format("data/{}", envelope.id)); !st) {
        discard_content(envelope.id);
        return st.error();
    }
    start_writeback(fd->get());
    return StagedContent(envelope.id, std::move(*fd), true);
}

Result<StagedContent> Spool::stage_content(const std::string& id) {
    auto fd = create_content(id);
    if (!fd) return fd.error();
    return StagedContent(id, std::move(*fd), false);
}

std::vector<Status> Spool::queue_staged(std::vector<Staged> batch) {
    std::vector<Status> results(batch.size(), ok_status());
    auto fail = [&](size_t i, const Error& error) {
        discard_content(batch[i].content.id_);
        results[i] = error;
    };
    auto each_still_ok = [&](auto body) {
        for (size_t i = 0; i < batch.size(); ++i)
            if (results[i]) body(i);
    };
    for (size_t i = 0; i < batch.size(); ++i)  // a caller's mistake, never queued
        if (batch[i].envelope->id != batch[i].content.id_)
            fail(i, Error{EX_SOFTWARE, fmt::format("data/{} staged with the envelope of {}",
                                                   batch[i].content.id_, batch[i].envelope->id)});
    // Every data file is durable, and its name, before any envelope names it (docs/queue.md):
    // a crash can leave content without an envelope (an orphan), never the reverse.
    parallel_for(batch.size(), kParallelSyncs, [&](size_t i) {
        if (!results[i]) return;
        StagedContent& content = batch[i].content;
        Status st = fsync_(content.fd_.get(), fmt::format("data/{}", content.id_));
        content.fd_.reset();
        if (!st) fail(i, st.error());
    });
    if (std::none_of(results.begin(), results.end(), [](const Status& r) { return r.ok(); }))
        return results;
    if (Status st = fsync_(data_.get(), "data directory"); !st) {
        each_still_ok([&](size_t i) { fail(i, st.error()); });
        return results;
    }
    parallel_for(batch.size(), kParallelSyncs, [&](size_t i) {
        if (!results[i]) return;
        if (Status st = publish_staged(batch[i]); !st) fail(i, st.error());
    });
    if (Status st = fsync_(queue_.get(), "queue directory"); !st) {
        // The new names may or may not be on disk: take them back.
        each_still_ok([&](size_t i) {
            (void)remove(Place::queue, batch[i].content.id_);
            results[i] = st.error();
        });
    }
    return results;
}

// A one-file message gets its queue/ name by a link; any other its envelope beside its content.
Status Spool::publish_staged(const Staged& staged) {
    const std::string& id = staged.content.id_;
    if (!staged.content.holds_envelope_) return store_unsynced(Place::queue, *staged.envelope);
    if (::linkat(data_.get(), id.c_str(), queue_.get(), id.c_str(), 0) != 0) {
        int err = errno;
        return Error{err == ENOSPC || err == EDQUOT ? EX_TEMPFAIL : EX_IOERR,
                     fmt::format("cannot link data/{} into queue/: {}", id, errno_text(err))};
    }
    return ok_status();
}

Status Spool::sync_content_dir() {
    return fsync_fd(data_.get(), "data directory");
}

void Spool::discard_content(const std::string& id) {
    ::unlinkat(data_.get(), id.c_str(), 0);
}

Result<Spool::Content> Spool::open_content(const Envelope& envelope) const {
    const std::string& id = envelope.id;
    UniqueFd fd(::openat(data_.get(), id.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
    if (!fd.valid()) {
        int err = errno;
        int code = err == ENOENT                                                     ? EX_NOINPUT
                   : err == EMFILE || err == ENFILE || err == ENOMEM || err == EINTR ? EX_TEMPFAIL
                                                                                     : EX_IOERR;
        return Error{code, fmt::format("cannot open data/{}: {}", id, errno_text(err))};
    }
    return Content{std::move(fd), envelope.content_offset};
}

Status Spool::quarantine(Place place, const std::string& id) {
    const std::string envelope = id + ".envelope", content = id + ".data";
    if (::renameat(place_fd(place), id.c_str(), corrupt_.get(), envelope.c_str()) != 0 &&
        errno != ENOENT)
        return Error{EX_IOERR, fmt::format("cannot move {}/{} to corrupt/: {}", to_string(place),
                                           id, errno_text(errno))};
    if (::renameat(data_.get(), id.c_str(), corrupt_.get(), content.c_str()) != 0 &&
        errno != ENOENT)
        return Error{EX_IOERR,
                     fmt::format("cannot move data/{} to corrupt/: {}", id, errno_text(errno))};
    if (Status st = fsync_fd(corrupt_.get(), "corrupt directory"); !st) return st;
    if (Status st = fsync_fd(place_fd(place), to_string(place)); !st) return st;
    return sync_content_dir();
}

Result<std::string> Spool::enqueue(Envelope envelope, std::string_view content) {
    // A fresh id: O_EXCL in data/ settles a race between delivery threads, and the id must not
    // name a submission still waiting in maildrop/ either (pickup would take that one for
    // already queued).
    UniqueFd fd;
    std::string id;
    for (int tries = 0; tries < 100 && !fd.valid(); ++tries) {
        id = new_queue_id(std::chrono::system_clock::now());
        if (maildrop_.contains(id) || exists(Place::queue, id) || exists(Place::hold, id) ||
            exists(Place::failed, id))
            continue;
        fd.reset(::openat(data_.get(), id.c_str(),
                          O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
        if (!fd.valid() && errno != EEXIST)
            return Error{errno == ENOSPC ? EX_TEMPFAIL : EX_IOERR,
                         fmt::format("cannot create data/{}: {}", id, errno_text(errno))};
    }
    if (!fd.valid()) return Error{EX_SOFTWARE, "cannot find a free queue id"};
    envelope.id = id;
    envelope.size = content.size();
    Status st = write_all(fd.get(), content, fmt::format("data/{}", id));
    if (st) st = fsync_fd(fd.get(), fmt::format("data/{}", id));
    if (st) st = sync_content_dir();
    // The envelope last: its rename is the moment the message exists (docs/queue.md).
    if (st) st = store(Place::queue, envelope);
    if (!st) {
        (void)remove(Place::queue, id);  // an envelope renamed in before a failed dir fsync
        return st.error();
    }
    return id;
}

void Spool::remove_orphans() {
    std::set<std::string> live;
    for (Place p : {Place::queue, Place::hold, Place::failed})
        for (auto& id : list(p))
            live.insert(id);
    for (auto& id : directory_ids(data_.get()))
        if (!live.count(id)) ::unlinkat(data_.get(), id.c_str(), 0);
    // Temporary envelope files from an interrupted store() (the old envelope is still there),
    // and retired envelopes whose purge a stop or crash cut short.
    for (Place p : {Place::queue, Place::hold, Place::failed}) {
        for (const std::string& name : directory_names(place_fd(p))) {
            std::string_view n = name;
            if (n.size() > 5 && n.front() == '.' && (n.ends_with(".tmp") || n.ends_with(".done")))
                ::unlinkat(place_fd(p), name.c_str(), 0);
        }
    }
}

Result<std::optional<DeliveryPause>> Spool::pause_state() const {
    const std::string path = layout_.pause_file();
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK));
    if (!fd.valid()) {
        if (errno == ENOENT) return std::optional<DeliveryPause>();
        return Error{EX_IOERR, fmt::format("cannot read {}: {}", path, errno_text(errno))};
    }
    auto text = read_open_file(fd.get(), path, 4096);
    if (!text) return text.error();
    auto pause = decode_pause(*text);
    if (!pause) return Error{EX_DATAERR, fmt::format("{}: {}", path, pause.error().message)};
    return std::optional<DeliveryPause>(std::move(*pause));
}

Status Spool::pause(const DeliveryPause& pause) {
    return replace_file_durably(layout_.pause_file(), encode_pause(pause), 0600);
}

Status Spool::resume() {
    const std::string path = layout_.pause_file();
    if (::unlink(path.c_str()) != 0 && errno != ENOENT)
        return Error{EX_IOERR, fmt::format("cannot remove {}: {}", path, errno_text(errno))};
    auto root = open_dir(layout_.root());
    if (!root) return root.error();
    return fsync_fd(root->get(), layout_.root());
}

Result<UniqueFd> Spool::lock(bool wait) const {
    const std::string path = layout_.lock_file();
    UniqueFd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600));
    if (!fd.valid())
        return Error{EX_NOPERM, fmt::format("cannot open {}: {}", path, errno_text(errno))};
    if (::flock(fd.get(), LOCK_EX | (wait ? 0 : LOCK_NB)) != 0) {
        if (errno == EWOULDBLOCK) return UniqueFd();
        return Error{EX_OSERR, fmt::format("cannot lock {}: {}", path, errno_text(errno))};
    }
    return fd;
}

}  // namespace nullrelay
