// Tests for maildrop.hpp: the protocol between nullrelay-sendmail (MaildropWriter) and the
// daemon (Maildrop), on a private spool. Each state a file can be in, as the daemon sees it.
#include "queue/maildrop.hpp"

#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <string>

#include "queue/spool.hpp"
#include "queue_fixture.hpp"

using namespace nullrelay;
using namespace nullrelay::test;
using State = MaildropEntry::State;

namespace {

std::string read_all(int fd) {
    std::string out;
    char buf[4096];
    ssize_t n;
    while ((n = ::read(fd, buf, sizeof buf)) > 0)
        out.append(buf, static_cast<size_t>(n));
    return out;
}

}  // namespace

TEST_CASE("A committed submission is complete: owned by its writer, read from the start",
          "[maildrop]") {
    TempSpool t;
    Spool spool = open_spool(t.root);
    auto w = MaildropWriter::create(spool.layout());
    REQUIRE(w);
    REQUIRE(w->write("hello\n"));
    REQUIRE(w->commit());
    const std::string id = w->id();
    *w = std::move(*MaildropWriter::create(spool.layout()));  // the first writer is gone

    MaildropEntry e = spool.maildrop().open(id);
    REQUIRE(e.state == State::complete);
    CHECK(e.owner == ::geteuid());
    CHECK(e.size == 6);
    CHECK(e.completed > 0);
    CHECK(read_all(e.fd.get()) == "hello\n");
    CHECK(spool.maildrop().complete_ids() == std::vector<std::string>{id});
}

TEST_CASE("A submission still being written is left alone; an abandoned one is removed",
          "[maildrop]") {
    TempSpool t;
    Spool spool = open_spool(t.root);
    std::string id;
    {
        auto w = MaildropWriter::create(spool.layout());
        REQUIRE(w);
        REQUIRE(w->write("half a message"));
        id = w->id();
        CHECK(spool.maildrop().open(id).state == State::being_written);
        CHECK(spool.maildrop().contains(id));
        CHECK(spool.maildrop().complete_ids().empty());
        w->abandon();  // what sendmail does on an error: emptied, unlocked, unmarked
    }
    MaildropEntry e = spool.maildrop().open(id);
    CHECK(e.state == State::abandoned);
    CHECK(e.was_empty);
    CHECK_FALSE(spool.maildrop().contains(id));
    CHECK(spool.maildrop().open(id).state == State::gone);
}

TEST_CASE("Hostile maildrop files are never read, and are quarantined to corrupt/", "[maildrop]") {
    TempSpool t;
    Spool spool = open_spool(t.root);
    const Maildrop& md = spool.maildrop();

    t.write("maildrop/not-an-id", "junk");
    CHECK(md.open("not-an-id").state == State::hostile);

    const std::string link = "0619A2B3C4D5E001";
    REQUIRE(::symlink("/etc/shadow", (t.root + "/maildrop/" + link).c_str()) == 0);
    MaildropEntry e = md.open(link);
    CHECK(e.state == State::hostile);
    CHECK(e.problem == "symbolic link");

    const std::string fifo = "0619A2B3C4D5E002";
    REQUIRE(::mkfifo((t.root + "/maildrop/" + fifo).c_str(), 0740) == 0);
    CHECK(md.open(fifo).problem == "not a regular file");

    const std::string linked = "0619A2B3C4D5E003";
    t.write("maildrop/" + linked, "x");
    ::chmod((t.root + "/maildrop/" + linked).c_str(), 0740);
    REQUIRE(::link((t.root + "/maildrop/" + linked).c_str(), (t.root + "/elsewhere").c_str()) == 0);
    CHECK(md.open(linked).problem == "more than one link");

    REQUIRE(md.quarantine("not-an-id"));
    CHECK_FALSE(t.exists("maildrop/not-an-id"));
    CHECK(md.quarantined("not-an-id"));
    CHECK_FALSE(md.quarantine("no-such-file"));
}

TEST_CASE("Maildrop::scan lists every name, oldest id first", "[maildrop]") {
    TempSpool t;
    Spool spool = open_spool(t.root);
    std::vector<std::string> ids;
    for (int i = 0; i < 2; ++i) {
        auto w = MaildropWriter::create(spool.layout());
        REQUIRE(w);
        REQUIRE(w->write("x"));
        REQUIRE(w->commit());
        ids.push_back(w->id());
    }
    std::sort(ids.begin(), ids.end());
    CHECK(spool.maildrop().scan() == ids);
    spool.maildrop().remove(ids[0]);
    CHECK(spool.maildrop().scan() == std::vector<std::string>{ids[1]});
}

// Issue 15, item 3: the mark alone does not make a file complete. commit() sets it before its
// fsyncs; if one fails, sendmail exits non-zero and the caller submits again, so pickup must not
// have taken the file meanwhile (a duplicate, or a truncated message). Pickup takes a marked
// file only once its writer's lock is free, and abandon() takes the mark back before it empties
// the file.
TEST_CASE("A marked file whose writer still holds its lock is not complete; abandon unmarks it",
          "[maildrop]") {
    TempSpool t;
    Spool spool = open_spool(t.root);
    auto w = MaildropWriter::create(spool.layout());
    REQUIRE(w);
    REQUIRE(w->write("a whole message\n"));
    const std::string path = t.root + "/maildrop/" + w->id();
    REQUIRE(::chmod(path.c_str(), 0740) == 0);  // the mark, as commit() sets it first
    CHECK(spool.maildrop().open(w->id()).state == State::being_written);

    w->abandon();  // an fsync failed after the mark
    struct stat st;
    REQUIRE(::stat(path.c_str(), &st) == 0);
    CHECK((st.st_mode & S_IXUSR) == 0);
    CHECK(st.st_size == 0);
    CHECK(spool.maildrop().open(w->id()).state == State::abandoned);
}
