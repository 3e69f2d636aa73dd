// Tests for spool.hpp: the queue's directories and the moves between them, on a private spool
// under /tmp (removed at the end of each test).
#include "queue/spool.hpp"

#include <fmt/format.h>
#include <catch2/catch.hpp>

#include "golden.hpp"
#include "util/durable_io.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

using namespace nullrelay;

namespace {

// A fresh spool root, removed with everything in it when the test ends.
struct TempSpool {
    std::string root;
    TempSpool() {
        char tmpl[] = "/tmp/nullrelay-spool-XXXXXX";
        REQUIRE(::mkdtemp(tmpl) != nullptr);
        root = tmpl;
        REQUIRE(Spool::create(root));
    }
    ~TempSpool() { std::filesystem::remove_all(root); }
    std::string path(const std::string& rel) const { return root + "/" + rel; }
    bool exists(const std::string& rel) const { return std::filesystem::exists(path(rel)); }
    std::string read(const std::string& rel) const {
        std::ifstream in(path(rel), std::ios::binary);
        return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    }
    void write(const std::string& rel, const std::string& text) const {
        std::ofstream(path(rel), std::ios::binary) << text;
    }
};

Envelope make_envelope(const std::string& id) {
    Envelope e;
    e.id = id;
    e.arrival = 1717243200;
    e.submitter_uid = 1000;
    e.submitter_name = "alice";
    e.sender = "alice@example.org";
    e.size = 1234;
    e.recipients = {{"bob@example.org", "bob", RecipientState::pending, ""}};
    return e;
}

Spool open_spool(const TempSpool& t) {
    auto s = Spool::open(t.root);
    REQUIRE(s);
    return std::move(*s);
}

const std::string kId1 = "0619A2B3C4D5E001", kId2 = "0619A2B3C4D5E002", kId3 = "0619A2B3C4D5E003";

}  // namespace

TEST_CASE("Spool::create and Spool::open", "[spool]") {
    TempSpool t;
    for (const char* sub : {"maildrop", "data", "queue", "hold", "failed", "corrupt"}) {
        INFO(sub);
        CHECK(std::filesystem::is_directory(t.path(sub)));
    }
    REQUIRE(Spool::create(t.root));  // again: nothing to do, no error
    Spool s = open_spool(t);
    CHECK(s.layout().root() == t.root);
    CHECK(s.maildrop().path() == t.path("maildrop"));

    std::filesystem::remove(t.path("hold"));
    auto broken = Spool::open(t.root);
    REQUIRE_FALSE(broken);
    CHECK_THAT(broken.error().message, Catch::Contains(t.path("hold")));
    CHECK_FALSE(Spool::open(t.path("nonexistent")));
}

TEST_CASE("Spool::store writes the golden format; load reads it back", "[spool]") {
    TempSpool t;
    Spool s = open_spool(t);
    Envelope e;
    e.id = "0619A2B3C4D5EFFF";
    e.recipients = {{"root@example.org", "", RecipientState::pending, ""}};
    REQUIRE(s.store(Place::queue, e));
    CHECK(t.read("queue/0619A2B3C4D5EFFF") == golden("envelope_null_sender.golden"));
    struct stat st;
    REQUIRE(::stat(t.path("queue/0619A2B3C4D5EFFF").c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);

    auto back = s.load(Place::queue, e.id);
    REQUIRE(back);
    CHECK(*back == e);

    // store() replaces: the new state is what load() sees, and no temporary file remains.
    e.attempts = 3;
    e.recipients[0].state = RecipientState::sent;
    REQUIRE(s.store(Place::queue, e));
    CHECK(s.load(Place::queue, e.id)->attempts == 3);
    CHECK_FALSE(t.exists("queue/.0619A2B3C4D5EFFF.tmp"));

    // A refused envelope leaves the stored one alone.
    Envelope bad = e;
    bad.sender = "a@b\nrcpt sent\tx@y\t\t";
    CHECK_FALSE(s.store(Place::queue, bad));
    CHECK(*s.load(Place::queue, e.id) == e);
}

TEST_CASE("Spool::list is sorted and ignores other names", "[spool]") {
    TempSpool t;
    Spool s = open_spool(t);
    for (const auto& id : {kId3, kId1, kId2})
        REQUIRE(s.store(Place::queue, make_envelope(id)));
    t.write("queue/README", "not a queue file");
    t.write("queue/.0619A2B3C4D5E009.tmp", "half");
    t.write("queue/0619a2b3c4d5e004", "lower case");
    CHECK(s.list(Place::queue) == std::vector<std::string>{kId1, kId2, kId3});
    CHECK(s.list(Place::queue) == std::vector<std::string>{kId1, kId2, kId3});  // rereads
    CHECK(s.list(Place::hold).empty());
    CHECK(s.exists(Place::queue, kId2));
    CHECK_FALSE(s.exists(Place::hold, kId2));
}

TEST_CASE("Spool::move moves an envelope between places", "[spool]") {
    TempSpool t;
    Spool s = open_spool(t);
    REQUIRE(s.store(Place::queue, make_envelope(kId1)));
    REQUIRE(s.move(kId1, Place::queue, Place::hold));
    CHECK_FALSE(s.exists(Place::queue, kId1));
    CHECK(s.exists(Place::hold, kId1));
    CHECK(s.load(Place::hold, kId1)->id == kId1);
    REQUIRE(s.move(kId1, Place::hold, Place::failed));
    CHECK(s.list(Place::failed) == std::vector<std::string>{kId1});

    auto missing = s.move(kId2, Place::queue, Place::hold);
    REQUIRE_FALSE(missing);
    CHECK(missing.error().exit_code == EX_NOINPUT);
    CHECK_THAT(missing.error().message, Catch::Contains(kId2));
}

TEST_CASE("Spool content files and remove", "[spool]") {
    TempSpool t;
    Spool s = open_spool(t);
    REQUIRE(s.store(Place::hold, make_envelope(kId1)));
    {
        auto fd = s.create_content(kId1);
        REQUIRE(fd);
        REQUIRE(::write(fd->get(), "Subject: x\r\n\r\nbody\r\n", 20) == 20);
    }
    REQUIRE(s.sync_content_dir());
    {
        auto content = s.open_content(make_envelope(kId1));
        REQUIRE(content);
        CHECK(content->offset == 0);
        char buf[64] = {};
        CHECK(::read(content->fd.get(), buf, sizeof buf) == 20);
        CHECK(std::string(buf) == "Subject: x\r\n\r\nbody\r\n");
    }
    REQUIRE(s.remove(Place::hold, kId1));
    CHECK_FALSE(t.exists("hold/" + kId1));
    CHECK_FALSE(t.exists("data/" + kId1));
    CHECK(s.remove(Place::hold, kId1));  // already gone: not an error
    CHECK_FALSE(s.open_content(make_envelope(kId1)));

    // Content files are never opened through a planted symlink.
    REQUIRE(::symlink("/etc/passwd", t.path("data/" + kId2).c_str()) == 0);
    CHECK_FALSE(s.open_content(make_envelope(kId2)));
    CHECK_FALSE(s.create_content(kId2));
    s.discard_content(kId2);
    CHECK_FALSE(std::filesystem::is_symlink(t.path("data/" + kId2)));
}

TEST_CASE("Spool::remove_orphans removes data files without an envelope", "[spool]") {
    TempSpool t;
    Spool s = open_spool(t);
    REQUIRE(s.store(Place::queue, make_envelope(kId1)));
    REQUIRE(s.store(Place::hold, make_envelope(kId2)));
    for (const auto& id : {kId1, kId2, kId3})
        t.write("data/" + id, "content");
    t.write("data/README", "not an id: left alone");
    s.remove_orphans();
    CHECK(t.exists("data/" + kId1));
    CHECK(t.exists("data/" + kId2));
    CHECK_FALSE(t.exists("data/" + kId3));
    CHECK(t.exists("data/README"));
    CHECK(t.exists("queue/" + kId1));
}

// Bug (spool.cpp, remove_orphans): the .tmp scan reads a dup() of the place's directory fd
// without rewinddir(); the dup shares the file offset that list() just left at the end, so
// readdir() sees nothing and leftover temporary files are never removed.
TEST_CASE("Spool::remove_orphans removes leftover temporary files", "[spool]") {
    TempSpool t;
    Spool s = open_spool(t);
    REQUIRE(s.store(Place::queue, make_envelope(kId1)));
    t.write("queue/." + kId2 + ".tmp", "interrupted store");
    t.write("hold/." + kId3 + ".tmp", "interrupted store");
    s.remove_orphans();
    CHECK(t.exists("queue/" + kId1));
    CHECK_FALSE(t.exists("queue/." + kId2 + ".tmp"));
    CHECK_FALSE(t.exists("hold/." + kId3 + ".tmp"));
}

TEST_CASE("Spool::retire takes a message out of the queue; purge_retired removes its files",
          "[spool]") {
    TempSpool t;
    Spool s = open_spool(t);
    REQUIRE(s.store(Place::queue, make_envelope(kId1)));
    REQUIRE(s.store(Place::queue, make_envelope(kId2)));
    t.write("data/" + kId1, "content 1");
    t.write("data/" + kId2, "content 2");
    REQUIRE(s.retire(kId1));
    CHECK(s.list(Place::queue) == std::vector<std::string>{kId2});
    CHECK_FALSE(s.exists(Place::queue, kId1));
    CHECK(t.exists("queue/." + kId1 + ".done"));
    s.purge_retired(kId1);
    CHECK_FALSE(t.exists("queue/." + kId1 + ".done"));
    CHECK_FALSE(t.exists("data/" + kId1));
    CHECK(t.exists("data/" + kId2));
    CHECK_FALSE(s.retire(kId1));  // gone already

    // A stop or crash before the purge: the next start removes both files.
    REQUIRE(s.retire(kId2));
    s.remove_orphans();
    CHECK_FALSE(t.exists("queue/." + kId2 + ".done"));
    CHECK_FALSE(t.exists("data/" + kId2));
}

TEST_CASE("Spool::lock is exclusive", "[spool]") {
    TempSpool t;
    Spool s = open_spool(t);
    auto first = s.lock(false);
    REQUIRE(first);
    REQUIRE(first->valid());
    // flock() locks belong to the open file description, so a second lock() in the same
    // process conflicts with the first.
    auto second = s.lock(false);
    REQUIRE(second);
    CHECK_FALSE(second->valid());
    first->reset();
    auto third = s.lock(false);
    REQUIRE(third);
    CHECK(third->valid());
}

TEST_CASE("Spool::load errors", "[spool]") {
    TempSpool t;
    Spool s = open_spool(t);
    t.write("queue/" + kId1, "nullrelay-queue 1\nid " + kId1 + "\ngarbage\n");
    auto corrupt = s.load(Place::queue, kId1);
    REQUIRE_FALSE(corrupt);
    CHECK(corrupt.error().exit_code == EX_DATAERR);
    CHECK_THAT(corrupt.error().message, Catch::Contains("queue/" + kId1));

    // A file whose id record names another message.
    REQUIRE(s.store(Place::hold, make_envelope(kId2)));
    std::filesystem::rename(t.path("hold/" + kId2), t.path("hold/" + kId3));
    auto other = s.load(Place::hold, kId3);
    REQUIRE_FALSE(other);
    CHECK(other.error().exit_code == EX_DATAERR);
    CHECK_THAT(other.error().message, Catch::Contains("hold/" + kId3));

    auto missing = s.load(Place::failed, kId1);
    REQUIRE_FALSE(missing);
    CHECK(missing.error().exit_code == EX_NOINPUT);

    auto not_an_id = s.load(Place::queue, "../queue/x");
    REQUIRE_FALSE(not_an_id);
    CHECK(not_an_id.error().exit_code == EX_DATAERR);
}

TEST_CASE("Spool::stage_message and queue_staged: one file, envelope then content", "[spool]") {
    TempSpool t;
    Spool s = open_spool(t);
    Envelope e = make_envelope(kId1);
    const std::string content = "Subject: x\r\n\r\nend\r\nend\n";  // "end" lines in the body
    e.size = content.size();
    auto staged = s.stage_message(e, content);
    REQUIRE(staged);
    CHECK(e.content_offset > 0);
    CHECK_FALSE(s.exists(Place::queue, kId1));  // not queued before queue_staged
    std::vector<Spool::Staged> batch;
    batch.push_back({&e, std::move(*staged)});
    std::vector<Status> queued = s.queue_staged(std::move(batch));
    REQUIRE(queued.size() == 1);
    REQUIRE(queued[0]);
    CHECK(t.read("queue/" + kId1) == t.read("data/" + kId1));
    CHECK(t.read("data/" + kId1).substr(e.content_offset) == content);
    auto loaded = s.load(Place::queue, kId1);
    REQUIRE(loaded);
    CHECK(*loaded == e);
    auto opened = s.open_content(*loaded);  // reads from past the envelope
    REQUIRE(opened);
    CHECK(opened->offset == e.content_offset);
    std::string read_back(content.size() + 1, '\0');
    CHECK(::pread(opened->fd.get(), read_back.data(), read_back.size(),
                  static_cast<off_t>(opened->offset)) == static_cast<ssize_t>(content.size()));
    CHECK(read_back.substr(0, content.size()) == content);

    // Moved, it is the same; removed, both names go.
    REQUIRE(s.move(kId1, Place::queue, Place::hold));
    CHECK(s.load(Place::hold, kId1).value() == e);
    REQUIRE(s.remove(Place::hold, kId1));
    CHECK_FALSE(t.exists("hold/" + kId1));
    CHECK_FALSE(t.exists("data/" + kId1));
}

// A disk that fails an fsync: the seam queue_staged() calls through, failing for the files
// and directories whose name contains `what`, and recording every call.
struct FailingFsync {
    std::string what;
    std::vector<std::string> calls;
    Spool::Fsync fn() {
        return [this](int fd, std::string_view name) -> Status {
            calls.emplace_back(name);
            if (name.find(what) != std::string_view::npos)
                return Error{EX_IOERR, fmt::format("cannot fsync {}: Input/output error", name)};
            return fsync_fd(fd, name);
        };
    }
};

TEST_CASE("Spool::queue_staged: a failed fsync queues nothing of what it may lose", "[spool]") {
    TempSpool t;
    Spool s = open_spool(t);
    std::vector<Envelope> envelopes = {make_envelope(kId1), make_envelope(kId2),
                                       make_envelope(kId3)};
    const std::string content = "Subject: x\r\n\r\nbody\r\n";
    auto stage = [&](const std::vector<std::string>& ids) {
        std::vector<Spool::Staged> batch;
        for (Envelope& e : envelopes) {
            if (std::find(ids.begin(), ids.end(), e.id) == ids.end()) continue;
            e.size = content.size();
            if (e.id == kId3) {  // streamed in: content alone, envelope stored beside it
                e.content_offset = 0;
                auto staged = s.stage_content(e.id);
                REQUIRE(staged);
                REQUIRE(write_all(staged->fd(), content, "data file"));
                batch.push_back({&e, std::move(*staged)});
            } else {
                auto staged = s.stage_message(e, content);
                REQUIRE(staged);
                batch.push_back({&e, std::move(*staged)});
            }
        }
        return batch;
    };
    auto check_gone = [&](const std::string& id) {
        INFO(id);
        CHECK_FALSE(t.exists("data/" + id));
        CHECK_FALSE(t.exists("queue/" + id));
    };

    SECTION("one data file's fsync fails: that message alone is not queued") {
        FailingFsync disk{"data/" + kId2, {}};
        s.set_fsync(disk.fn());
        std::vector<Status> queued = s.queue_staged(stage({kId1, kId2, kId3}));
        REQUIRE(queued.size() == 3);
        CHECK(queued[0]);
        REQUIRE_FALSE(queued[1]);
        CHECK_THAT(queued[1].error().message, Catch::Contains("data/" + kId2));
        CHECK(queued[2]);
        check_gone(kId2);
        CHECK(s.list(Place::queue) == std::vector<std::string>{kId1, kId3});
        CHECK(s.load(Place::queue, kId3).value() == envelopes[2]);
        // Every file before its directory, data/ before queue/: the crash order.
        const std::vector<std::string> dirs(disk.calls.end() - 2, disk.calls.end());
        CHECK(dirs == std::vector<std::string>{"data directory", "queue directory"});
        CHECK(disk.calls.size() == 5);
    }
    SECTION("the fsync of data/ fails: nothing is queued, no content is left") {
        FailingFsync disk{"data directory", {}};
        s.set_fsync(disk.fn());
        for (const Status& st : s.queue_staged(stage({kId1, kId2, kId3})))
            CHECK_FALSE(st);
        for (const Envelope& e : envelopes)
            check_gone(e.id);
        CHECK(disk.calls.back() == "data directory");  // queue/ was never touched
    }
    SECTION("the fsync of queue/ fails: the new names are taken back") {
        FailingFsync disk{"queue directory", {}};
        s.set_fsync(disk.fn());
        for (const Status& st : s.queue_staged(stage({kId1, kId2, kId3})))
            CHECK_FALSE(st);
        for (const Envelope& e : envelopes)
            check_gone(e.id);
    }
    // With a disk that works again, the rest queue (staged again, as pickup's retry does).
    s.set_fsync(fsync_fd);
    std::vector<std::string> rest;
    for (const Envelope& e : envelopes)
        if (!s.exists(Place::queue, e.id)) rest.push_back(e.id);
    for (const Status& st : s.queue_staged(stage(rest)))
        CHECK(st);
    CHECK(s.list(Place::queue) == std::vector<std::string>{kId1, kId2, kId3});
}

TEST_CASE("Spool::queue_staged: content staged under another message's id is never queued",
          "[spool]") {
    TempSpool t;
    Spool s = open_spool(t);
    Envelope mine = make_envelope(kId1), other = make_envelope(kId2);
    const std::string content = "Subject: x\r\n\r\nbody\r\n";
    mine.size = other.size = content.size();
    auto staged = s.stage_message(mine, content);
    REQUIRE(staged);
    std::vector<Spool::Staged> batch;
    batch.push_back({&other, std::move(*staged)});  // the caller's mistake
    std::vector<Status> queued = s.queue_staged(std::move(batch));
    REQUIRE(queued.size() == 1);
    REQUIRE_FALSE(queued[0]);
    CHECK(queued[0].error().exit_code == EX_SOFTWARE);
    CHECK_THAT(queued[0].error().message,
               Catch::Contains("data/" + kId1) && Catch::Contains("envelope of " + kId2));
    for (const std::string& id : {kId1, kId2}) {
        INFO(id);
        CHECK_FALSE(t.exists("data/" + id));
        CHECK_FALSE(t.exists("queue/" + id));
    }
}

TEST_CASE("Spool::load takes bytes after the envelope only as a one-file message's content",
          "[spool]") {
    TempSpool t;
    Spool s = open_spool(t);
    Envelope e = make_envelope(kId1);
    const std::string text = serialize_envelope(e).value();
    t.write("queue/" + kId1, text + "rcpt pending\tevil@example.org\tx\t\n");
    auto trailing = s.load(Place::queue, kId1);
    REQUIRE_FALSE(trailing);
    CHECK_THAT(trailing.error().message, Catch::Contains("data after the end record"));

    // A content_offset that is not where the envelope ends.
    Envelope wrong = e;
    wrong.content_offset = 3;
    t.write("queue/" + kId1, serialize_envelope(wrong).value() + "Subject: x\r\n");
    CHECK_FALSE(s.load(Place::queue, kId1));

    // An envelope exactly one read long (8192 bytes), with and without content after it.
    Envelope exact = e;
    exact.last_error = "x";
    for (int round = 0; round < 3; ++round) {  // the offset's own digits change the length
        const size_t size = serialize_envelope_before_content(exact).value().size();
        exact.last_error.resize(exact.last_error.size() + 8192 - size, 'x');
    }
    const std::string head = serialize_envelope_before_content(exact).value();
    REQUIRE(head.size() == 8192);
    t.write("queue/" + kId1, head);
    CHECK(s.load(Place::queue, kId1).value() == exact);
    t.write("queue/" + kId1, head + "Subject: x\r\n");
    CHECK(s.load(Place::queue, kId1).value() == exact);
    Envelope plain = exact;
    plain.content_offset = 0;
    const std::string plain_text = serialize_envelope(plain).value();
    t.write("queue/" + kId1, plain_text + "Subject: x\r\n");
    CHECK_FALSE(s.load(Place::queue, kId1));
}

TEST_CASE("Spool::enqueue queues new content under a fresh id", "[spool]") {
    TempSpool t;
    Spool s = open_spool(t);
    Envelope e = make_envelope(kId1);  // the id is replaced
    e.size = 0;
    auto first = s.enqueue(e, "Subject: bounce\r\n\r\nreport\r\n");
    REQUIRE(first);
    CHECK(*first != kId1);
    CHECK(t.read("data/" + *first) == "Subject: bounce\r\n\r\nreport\r\n");
    auto loaded = s.load(Place::queue, *first);
    REQUIRE(loaded);
    CHECK(loaded->id == *first);
    CHECK(loaded->size == 27);
    CHECK(loaded->recipients == e.recipients);

    // Each call gets its own id.
    auto second = s.enqueue(e, "x");
    REQUIRE(second);
    CHECK(*second != *first);
    CHECK(s.list(Place::queue).size() == 2);

    // An envelope the writer refuses leaves nothing behind.
    Envelope bad = e;
    bad.sender = "evil\r\nrcpt x";
    CHECK_FALSE(s.enqueue(bad, "content"));
    CHECK(s.list(Place::queue).size() == 2);
    CHECK(std::distance(std::filesystem::directory_iterator(t.path("data")),
                        std::filesystem::directory_iterator()) == 2);
}
