// Tests for pickup.hpp: moving maildrop files into the queue. Files are written the way
// nullrelay-sendmail writes them (MaildropWriter + format_maildrop_header) into a private spool.
#include "nullrelayd/pickup.hpp"

#include <fmt/format.h>
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <linux/fs.h>
#include <pwd.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "maps/alias_map.hpp"
#include "queue/maildrop.hpp"
#include "queue/maildrop_format.hpp"
#include "util/durable_io.hpp"
#include "util/unique_fd.hpp"

using namespace nullrelay;
using Kind = PickupResult::Kind;

namespace {

struct Fixture {
    std::string root;
    Config config;
    std::optional<Spool> spool;

    Fixture() {
        ::setenv("TZ", "UTC", 1);
        ::tzset();
        char tmpl[] = "/tmp/nullrelay-pickup-XXXXXX";
        REQUIRE(::mkdtemp(tmpl) != nullptr);
        root = tmpl;
        REQUIRE(Spool::create(root));
        auto s = Spool::open(root);
        REQUIRE(s);
        spool.emplace(std::move(*s));
        config.spool_dir = root;
        config.hostname = "relay.example.org";
        config.sender_domain = "example.org";
    }
    ~Fixture() { std::filesystem::remove_all(root); }

    bool exists(const std::string& rel) const {
        std::error_code ec;
        return std::filesystem::symlink_status(root + "/" + rel, ec).type() !=
               std::filesystem::file_type::not_found;
    }
    std::string read(const std::string& rel) const {
        std::ifstream in(root + "/" + rel, std::ios::binary);
        return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    }

    // A queued message's content as it goes on the wire: data/<id> from where its envelope
    // says (after the envelope itself, for a message queued as one file).
    std::string content(const std::string& id) const {
        auto env = spool->load(Place::queue, id);
        REQUIRE(env);
        return read("data/" + id).substr(env->content_offset);
    }

    // Starts a maildrop file the way nullrelay-sendmail does; commit() is left to the caller.
    MaildropWriter start(const MaildropEnvelope& e, const std::string& content) {
        auto w = MaildropWriter::create(spool->layout());
        REQUIRE(w);
        auto header = format_maildrop_header(e);
        REQUIRE(header);
        REQUIRE(w->write(*header + content));
        return std::move(*w);
    }
    std::string submit(const MaildropEnvelope& e, const std::string& content) {
        MaildropWriter w = start(e, content);
        REQUIRE(w.commit());
        return w.id();
    }
    // A complete (owner-execute) maildrop file with arbitrary bytes.
    std::string submit_raw(const std::string& bytes) {
        auto w = MaildropWriter::create(spool->layout());
        REQUIRE(w);
        REQUIRE(w->write(bytes));
        REQUIRE(w->commit());
        return w->id();
    }
    PickupResult take(const std::string& name) {
        Pickup p(*spool, config);
        return p.take(name);
    }
};

std::string date_of(std::time_t t) {
    char buf[64];
    std::tm tm{};
    ::gmtime_r(&t, &tm);
    std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S +0000", &tm);
    return buf;
}

std::string message_id_of(std::time_t t, const std::string& id) {
    char buf[32];
    std::tm tm{};
    ::gmtime_r(&t, &tm);
    std::strftime(buf, sizeof buf, "%Y%m%d%H%M%S", &tm);
    return "<" + std::string(buf) + "." + id + "@relay.example.org>";
}

// The trace field pickup puts on top (issue 15, item 7).
std::string received_of(std::time_t t, const std::string& id) {
    return "Received: by relay.example.org (nullrelay, from userid " + std::to_string(::geteuid()) +
           ")\r\n\tid " + id + "; " + date_of(t) + "\r\n";
}

const MaildropEnvelope kAlice{"alice", "Alice Example", {"bob", "carol@example.net"}};

}  // namespace

TEST_CASE("Pickup queues a message and cleans up its header", "[pickup]") {
    Fixture f;
    std::time_t before = std::time(nullptr);
    std::string id = f.submit(kAlice,
                              "Subject: hi\n"
                              "To: bob\n"
                              "Bcc: secret@example.net\n"
                              "Return-Path: <x@y>\n"
                              "Content-Length: 5\n"
                              "\n"
                              "body line 1\r\n"
                              ".\n"
                              "From the body\r\r\n"
                              "last line without newline");
    PickupResult r = f.take(id);
    REQUIRE(r.kind == Kind::queued);
    std::time_t after = std::time(nullptr);

    const Envelope& e = r.envelope;
    CHECK(e.id == id);
    CHECK(e.sender == "alice@example.org");
    CHECK(e.submitter_uid == ::getuid());
    CHECK(e.submitter_name == ::getpwuid(::getuid())->pw_name);
    CHECK(e.arrival >= before);
    CHECK(e.arrival <= after);
    REQUIRE(e.recipients.size() == 2);
    CHECK(e.recipients[0] == Recipient{"bob@example.org", "bob", RecipientState::pending, ""});
    CHECK(e.recipients[1] ==
          Recipient{"carol@example.net", "carol@example.net", RecipientState::pending, ""});

    const std::string want =
        received_of(e.arrival, id) +
        "Subject: hi\r\n"
        "To: bob@example.org\r\n"  // as the envelope: no bare local name leaves
        "Date: " +
        date_of(e.arrival) +
        "\r\n"
        "Message-ID: " +
        message_id_of(e.arrival, id) +
        "\r\n"
        "From: Alice Example <alice@example.org>\r\n"
        "\r\n"
        "body line 1\r\n"
        ".\r\n"
        "From the body\r\n"
        "last line without newline\r\n";
    CHECK(f.content(id) == want);
    CHECK(e.size == want.size());
    CHECK_FALSE(f.exists("maildrop/" + id));
    auto stored = f.spool->load(Place::queue, id);
    REQUIRE(stored);
    CHECK(*stored == e);
}

// Issue 21: pickup wrote two files per message (data/<id>, then queue/<id>), each created and
// fsynced. A small one is now one file, its envelope before its content, under both names.
TEST_CASE("Pickup queues a small submission as one file, a large one as two", "[pickup]") {
    Fixture f;
    auto inode = [&](const std::string& rel) {
        struct stat st {};
        REQUIRE(::stat((f.root + "/" + rel).c_str(), &st) == 0);
        return st;
    };
    const std::string small_id = f.submit(kAlice, "Subject: small\n\nbody\n");
    const std::string large_body(100 * 1024, 'x');
    std::string large_text = "Subject: large\n\n";
    for (size_t i = 0; i < large_body.size(); i += 100)
        large_text += large_body.substr(i, 99) + "\n";
    const std::string large_id = f.submit(kAlice, large_text);
    Pickup p(*f.spool, f.config);
    auto results = p.take(std::vector<std::string>{small_id, large_id});
    REQUIRE(results[0].kind == Kind::queued);
    REQUIRE(results[1].kind == Kind::queued);

    // Small: queue/<id> is a second name of data/<id>, which starts with the envelope.
    struct stat data = inode("data/" + small_id), queued = inode("queue/" + small_id);
    CHECK(data.st_ino == queued.st_ino);
    CHECK(data.st_nlink == 2);
    auto env = f.spool->load(Place::queue, small_id);
    REQUIRE(env);
    CHECK(*env == results[0].envelope);
    REQUIRE(env->content_offset > 0);
    const std::string file = f.read("data/" + small_id);
    CHECK(parse_envelope(file.substr(0, env->content_offset)).value() == *env);
    CHECK(file.substr(env->content_offset).starts_with("Received: "));
    CHECK(env->size == file.size() - env->content_offset);

    // The first state change stores an envelope of its own; the content stays where it was.
    Envelope retried = *env;
    retried.attempts = 1;
    retried.last_error = "451 try later";
    REQUIRE(f.spool->store(Place::queue, retried));
    CHECK(inode("queue/" + small_id).st_ino != data.st_ino);
    CHECK(inode("data/" + small_id).st_nlink == 1);
    CHECK(f.spool->load(Place::queue, small_id).value() == retried);
    CHECK(f.content(small_id) == file.substr(env->content_offset));

    // Large: streamed into data/<id>, its envelope beside it.
    CHECK(inode("data/" + large_id).st_ino != inode("queue/" + large_id).st_ino);
    auto large = f.spool->load(Place::queue, large_id);
    REQUIRE(large);
    CHECK(large->content_offset == 0);
    CHECK(f.content(large_id).find(large_body.substr(0, 99) + "\r\n") != std::string::npos);
    CHECK(large->size == f.read("data/" + large_id).size());
}

TEST_CASE("Pickup keeps headers that are present and the body byte for byte", "[pickup]") {
    Fixture f;
    const std::string content =
        "From: \"Cron Daemon\" <root@example.org>\r\n"
        "Date: Sat, 01 Jun 2024 12:00:00 +0000\r\n"
        "Message-ID: <given@example.org>\r\n"
        "Subject: folded\r\n"
        " subject\r\n"
        "\r\n"
        "..leading dots stay\r\n"
        "\ttabs and trailing spaces  \r\n"
        "\r\n";
    std::string id = f.submit({"", "", {"root@example.org"}}, content);
    PickupResult r = f.take(id);
    REQUIRE(r.kind == Kind::queued);
    CHECK(r.envelope.sender == "");  // the null sender stays null
    CHECK(f.content(id) == received_of(r.envelope.arrival, id) + content);
}

TEST_CASE("Pickup writes an 8-bit message 7-bit, and a 7-bit one unchanged", "[pickup]") {
    Fixture f;
    const std::string seven =
        "Subject: plain\r\nDate: x\r\nMessage-ID: <a@b>\r\nFrom: a@b\r\n\r\n"
        "ascii only\r\n";
    std::string id7 = f.submit({"", "", {"root@example.org"}}, seven);
    PickupResult r7 = f.take(id7);
    REQUIRE(r7.kind == Kind::queued);
    CHECK(f.content(id7) == received_of(r7.envelope.arrival, id7) + seven);

    const std::string body =
        "Gr\xC3\xBC\xC3\x9F"
        "e\r\n" +
        std::string(5000, 'x') + "\r\n";
    std::string id8 = f.submit({"", "", {"root@example.org"}},
                               "Subject: \xC3\xA9t\xC3\xA9\r\nDate: x\r\nMessage-ID: <a@b>\r\n"
                               "From: a@b\r\n\r\n" +
                                   body);
    PickupResult r = f.take(id8);
    REQUIRE(r.kind == Kind::queued);
    const std::string data = f.content(id8);
    CHECK(r.envelope.size == data.size());
    CHECK(r.envelope.unsendable.empty());
    for (unsigned char c : data)
        REQUIRE(c < 0x80);
    CHECK_THAT(data, Catch::StartsWith(received_of(r.envelope.arrival, id8) +
                                       "Subject: =?utf-8?B?w6l0w6k=?=\r\n"));
    CHECK_THAT(data, Catch::Contains("\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; "
                                     "charset=utf-8\r\nContent-Transfer-Encoding: "
                                     "quoted-printable\r\n\r\nGr=C3=BC=C3=9Fe\r\nxxx"));
    CHECK(data.find(std::string(77, 'x')) == std::string::npos);  // soft breaks
}

TEST_CASE("Pickup marks a message whose own header cannot be sent", "[pickup]") {
    Fixture f;
    std::string id = f.submit({"", "", {"root@example.org"}},
                              "From: j\xC3\xB6rg@example.org\r\nSubject: s\r\n\r\nb\r\n");
    PickupResult r = f.take(id);
    REQUIRE(r.kind == Kind::queued);
    CHECK_THAT(r.envelope.unsendable, Catch::StartsWith("5.6.9 header field From: "));
    auto stored = f.spool->load(Place::queue, id);
    REQUIRE(stored);
    CHECK(stored->unsendable == r.envelope.unsendable);
}

TEST_CASE("Pickup quarantines a message past the MIME limits", "[pickup]") {
    Fixture f;
    std::string m = "Content-Type: multipart/mixed; boundary=p\r\n\r\n";
    for (int i = 0; i < 100'001; ++i)
        m += "--p\r\n\r\nx\r\n";
    m += "--p--\r\n";
    std::string id = f.submit({"", "", {"root@example.org"}}, m);
    PickupResult r = f.take(id);
    CHECK(r.kind == Kind::quarantined);
    CHECK_THAT(r.detail, Catch::Contains("more than 100000 MIME parts"));
    CHECK_FALSE(f.exists("data/" + id));
}

TEST_CASE("Pickup adds headers to messages with few or no headers", "[pickup]") {
    Fixture f;
    struct Case {
        const char* label;
        std::string content;
        std::string kept;  // the submitted headers, before the added ones
        std::string body;  // what follows the added headers
    };
    const std::vector<Case> cases = {
        {"body without separator", "just a body line\n", "", "\r\njust a body line\r\n"},
        {"empty message", "", "", ""},
        {"headers without body", "Subject: s\n", "Subject: s\r\n", ""},
    };
    for (const auto& c : cases) {
        INFO(c.label);
        std::string id = f.submit({"", "", {"root"}}, c.content);
        PickupResult r = f.take(id);
        REQUIRE(r.kind == Kind::queued);
        std::string added = "Date: " + date_of(r.envelope.arrival) +
                            "\r\nMessage-ID: " + message_id_of(r.envelope.arrival, id) +
                            "\r\nFrom: MAILER-DAEMON@relay.example.org\r\n";
        CHECK(f.content(id) == received_of(r.envelope.arrival, id) + c.kept + added + c.body);
        CHECK(r.envelope.recipients[0].address == "root@example.org");
    }
}

TEST_CASE("Pickup waits for a file that is still being written", "[pickup]") {
    Fixture f;
    MaildropWriter w = f.start(kAlice, "Subject: s\n\nbody\n");
    PickupResult r = f.take(w.id());
    CHECK(r.kind == Kind::not_ready);
    CHECK(f.exists("maildrop/" + w.id()));
    REQUIRE(w.commit());
    CHECK(f.take(w.id()).kind == Kind::queued);
}

TEST_CASE("Pickup removes a file its writer abandoned", "[pickup]") {
    Fixture f;
    std::string id;
    {
        MaildropWriter w = f.start(kAlice, "Subject: s\n\nbody\n");
        id = w.id();
    }  // destroyed without commit()
    REQUIRE(f.exists("maildrop/" + id));
    PickupResult r = f.take(id);
    CHECK(r.kind == Kind::removed_abandoned);
    CHECK_FALSE(f.exists("maildrop/" + id));
    CHECK_FALSE(f.exists("queue/" + id));
    CHECK(f.take(id).kind == Kind::gone);
}

TEST_CASE("Pickup quarantines hostile or broken files", "[pickup]") {
    Fixture f;
    SECTION("symbolic link") {
        const std::string name = "0619A2B3C4D5E001";
        REQUIRE(::symlink("/etc/passwd", (f.root + "/maildrop/" + name).c_str()) == 0);
        CHECK(f.take(name).kind == Kind::quarantined);
        CHECK_FALSE(f.exists("maildrop/" + name));
        CHECK(std::filesystem::is_symlink(f.root + "/corrupt/" + name));
        CHECK_FALSE(f.exists("queue/" + name));
    }
    SECTION("hard link") {
        std::string id = f.submit(kAlice, "Subject: s\n\nbody\n");
        REQUIRE(::link((f.root + "/maildrop/" + id).c_str(), (f.root + "/other").c_str()) == 0);
        PickupResult r = f.take(id);
        CHECK(r.kind == Kind::quarantined);
        CHECK_THAT(r.detail, Catch::Contains("link"));
        CHECK(f.exists("corrupt/" + id));
        CHECK_FALSE(f.exists("queue/" + id));
    }
    SECTION("bad maildrop header") {
        std::string id = f.submit_raw("nullrelay-maildrop 1\nrcpt a@b\nbcc x@y\ncontent\nbody\n");
        PickupResult r = f.take(id);
        CHECK(r.kind == Kind::quarantined);
        CHECK_THAT(r.detail, Catch::Contains("unknown record"));
        CHECK(f.read("corrupt/" + id) ==
              "nullrelay-maildrop 1\nrcpt a@b\nbcc x@y\ncontent\nbody\n");
        CHECK_FALSE(f.exists("maildrop/" + id));
        CHECK_FALSE(f.exists("data/" + id));
    }
    SECTION("not a queue id") {
        std::ofstream(f.root + "/maildrop/hello") << "junk";
        CHECK(f.take("hello").kind == Kind::quarantined);
        CHECK(f.read("corrupt/hello") == "junk");
    }
    SECTION("larger than max_message_size") {
        f.config.max_message_size = 64;
        std::string id = f.submit(kAlice, "Subject: s\n\n" + std::string(1000, 'x') + "\n");
        PickupResult r = f.take(id);
        CHECK(r.kind == Kind::quarantined);
        CHECK_THAT(r.detail, Catch::Contains("max_message_size"));
        CHECK_FALSE(f.exists("data/" + id));
        CHECK_FALSE(f.exists("queue/" + id));
    }
}

TEST_CASE("Pickup of a file that was already queued removes it", "[pickup]") {
    Fixture f;
    std::string id = f.submit(kAlice, "Subject: s\n\nbody\n");
    // A crash between the queue commit and the maildrop unlink leaves both.
    Envelope queued;
    queued.id = id;
    queued.sender = "earlier@example.org";
    queued.recipients = {{"x@example.org", "x", RecipientState::pending, ""}};
    REQUIRE(f.spool->store(Place::queue, queued));
    PickupResult r = f.take(id);
    CHECK(r.kind == Kind::gone);
    CHECK_FALSE(f.exists("maildrop/" + id));
    CHECK(f.spool->load(Place::queue, id)->sender == "earlier@example.org");
    CHECK(f.take("0619A2B3C4D5E0FF").kind == Kind::gone);  // never existed
}

TEST_CASE("Pickup takes a batch: one result per name, in order, each on its own merits",
          "[pickup]") {
    Fixture f;
    std::vector<std::string> names, good;
    for (int i = 0; i < 9; ++i) {
        good.push_back(f.submit(kAlice, "Subject: batch " + std::to_string(i) + "\n\nbody\n"));
        names.push_back(good.back());
    }
    MaildropWriter unfinished = f.start(kAlice, "Subject: s\n\nbody\n");
    names.insert(names.begin() + 3, unfinished.id());
    const std::string bad = f.submit_raw("not a maildrop file\n");
    names.insert(names.begin() + 6, bad);
    names.push_back("0619A2B3C4D5E0FF");  // vanished before its turn

    Pickup p(*f.spool, f.config);
    std::vector<PickupResult> results = p.take(names);
    REQUIRE(results.size() == names.size());
    for (size_t i = 0; i < names.size(); ++i) {
        INFO(names[i]);
        if (names[i] == unfinished.id()) {
            CHECK(results[i].kind == Kind::not_ready);
            CHECK(f.exists("maildrop/" + names[i]));
        } else if (names[i] == bad) {
            CHECK(results[i].kind == Kind::quarantined);
            CHECK(f.exists("corrupt/" + names[i]));
            REQUIRE_FALSE(results[i].notice.empty());  // queued too: the submitter is told
            good.push_back(results[i].notice);
        } else if (i + 1 == names.size()) {
            CHECK(results[i].kind == Kind::gone);
        } else {
            REQUIRE(results[i].kind == Kind::queued);
            CHECK(results[i].envelope.id == names[i]);
            CHECK_FALSE(f.exists("maildrop/" + names[i]));
            auto env = f.spool->load(Place::queue, names[i]);
            REQUIRE(env);
            CHECK(env->size == f.content(names[i]).size());
            CHECK(f.content(names[i]).find("Subject: batch ") != std::string::npos);
        }
    }
    CHECK(f.spool->list(Place::queue) == [&] {
        std::sort(good.begin(), good.end());
        return good;
    }());
}

TEST_CASE("Pickup: a batch whose envelopes cannot be written keeps every submission", "[pickup]") {
    Fixture f;
    std::vector<std::string> names;
    for (int i = 0; i < 3; ++i)
        names.push_back(f.submit(kAlice, "Subject: kept " + std::to_string(i) + "\n\nbody\n"));
    // An immutable queue/ refuses new files even to root (ext4, tmpfs since Linux 6.0).
    UniqueFd queue_dir(::open((f.root + "/queue").c_str(), O_RDONLY | O_DIRECTORY));
    REQUIRE(queue_dir.valid());
    int flags = 0;
    if (::ioctl(queue_dir.get(), FS_IOC_GETFLAGS, &flags) != 0 ||
        (flags |= FS_IMMUTABLE_FL, ::ioctl(queue_dir.get(), FS_IOC_SETFLAGS, &flags)) != 0) {
        WARN("cannot make queue/ immutable here (needs root on ext4 or tmpfs): not tested");
        return;
    }
    Pickup p(*f.spool, f.config);
    std::vector<PickupResult> results = p.take(names);
    flags &= ~FS_IMMUTABLE_FL;
    REQUIRE(::ioctl(queue_dir.get(), FS_IOC_SETFLAGS, &flags) == 0);
    for (size_t i = 0; i < names.size(); ++i) {
        INFO(names[i]);
        CHECK(results[i].kind == Kind::failed);
        CHECK(f.exists("maildrop/" + names[i]));  // left for the retry
        CHECK_FALSE(f.exists("data/" + names[i]));
        CHECK_FALSE(f.exists("queue/" + names[i]));
    }
    // The retry, once the queue can be written again, queues them all.
    for (const PickupResult& r : p.take(names))
        CHECK(r.kind == Kind::queued);
    CHECK(f.spool->list(Place::queue).size() == names.size());
}

TEST_CASE("Pickup: a data file whose fsync fails keeps its submission for a retry", "[pickup]") {
    Fixture f;
    std::vector<std::string> names;
    for (int i = 0; i < 3; ++i)
        names.push_back(f.submit(kAlice, "Subject: synced " + std::to_string(i) + "\n\nbody\n"));
    // A fourth too large to convert in memory (it streams into data/): both kinds of file fail.
    std::string large_body;
    for (int line = 0; line < 4000; ++line)
        large_body += "line " + std::to_string(line) + " of a large message\n";
    names.push_back(f.submit(kAlice, "Subject: large\n\n" + large_body));
    const std::set<std::string> failing = {"data/" + names[1], "data/" + names[3]};
    f.spool->set_fsync([&](int fd, std::string_view what) -> Status {
        if (failing.count(std::string(what)))
            return Error{EX_IOERR, fmt::format("cannot fsync {}: Input/output error", what)};
        return fsync_fd(fd, what);
    });
    Pickup p(*f.spool, f.config);
    std::vector<PickupResult> results = p.take(names);
    for (size_t i = 0; i < names.size(); ++i) {
        INFO(names[i]);
        const bool failed = failing.count("data/" + names[i]) != 0;
        CHECK(results[i].kind == (failed ? Kind::failed : Kind::queued));
        CHECK(f.exists("maildrop/" + names[i]) == failed);  // left for the retry
        CHECK(f.exists("data/" + names[i]) == !failed);
        CHECK(f.exists("queue/" + names[i]) == !failed);
        if (failed) CHECK_THAT(results[i].detail, Catch::Contains("Input/output error"));
    }
    // Once the disk works again, the retry queues them.
    f.spool->set_fsync(fsync_fd);
    for (const PickupResult& r : p.take(std::vector<std::string>{names[1], names[3]}))
        CHECK(r.kind == Kind::queued);
    CHECK(f.spool->list(Place::queue).size() == names.size());
    CHECK(f.spool->load(Place::queue, names[3]).value().content_offset == 0);  // streamed
    CHECK(f.content(names[3]).find("line 3999 of a large message\r\n") != std::string::npos);
}

TEST_CASE("Pickup rewrites recipients and headers through the maps", "[pickup]") {
    Fixture f;
    auto aliases = AliasMap::parse(
        "/^(root|www-data|nobody)$/ admin@example.net\n/^ops$/ root, oncall@example.net\n",
        "/etc/nullrelay/aliases");
    auto senders = AliasMap::parse("/^root$/ torres@example.net\n", "/etc/nullrelay/senders");
    REQUIRE(aliases);
    REQUIRE(senders);
    AddressMaps maps{std::make_shared<AliasMap>(std::move(*aliases)),
                     std::make_shared<AliasMap>(std::move(*senders))};
    // Debian cron's headers; the recipients as cron and a script would give them.
    std::string id =
        f.submit({"root", "CronDaemon", {"root", "www-data", "nobody@localhost", "ops"}},
                 "From: root (Cron Daemon)\nTo: root\nSubject: Cron <root@h> true\n"
                 "\nout\n");
    Pickup p(*f.spool, f.config, maps);
    PickupResult r = p.take(id);
    REQUIRE(r.kind == Kind::queued);
    const Envelope& e = r.envelope;
    CHECK(e.sender == "torres@example.net");
    // One RCPT per address; each keeps the first original that led to it.
    const std::vector<Recipient> want = {
        {"admin@example.net", "root", RecipientState::pending, ""},
        {"oncall@example.net", "ops", RecipientState::pending, ""},
    };
    CHECK(e.recipients == want);
    const std::string data = f.content(id);
    CHECK_THAT(data, Catch::StartsWith(received_of(e.arrival, id) +
                                       "From: Cron Daemon <torres@example.net>\r\n"
                                       "To: admin@example.net\r\n"
                                       "Subject: Cron <root@h> true\r\n"));
}

// Issue 15, item 7: any local user can submit as anyone with -f and From:; the Received: field
// names the real uid (the kernel's word: the maildrop file's owner) and the queue id, so the
// smarthost's admin can trace abuse. received_header = no leaves it out.
TEST_CASE("Pickup adds a Received: field naming the submitter's uid, unless told not to",
          "[pickup]") {
    Fixture f;
    std::string id = f.submit({"ceo@example.com", "", {"bob@example.net"}},
                              "From: ceo@example.com\nSubject: s\n\nbody\n");
    PickupResult r = f.take(id);
    REQUIRE(r.kind == Kind::queued);
    CHECK_THAT(f.content(id), Catch::StartsWith(received_of(r.envelope.arrival, id) +
                                                "From: ceo@example.com\r\n"));
    f.config.received_header = false;
    std::string quiet = f.submit({"ceo@example.com", "", {"bob@example.net"}},
                                 "From: ceo@example.com\nSubject: s\n\nbody\n");
    REQUIRE(f.take(quiet).kind == Kind::queued);
    CHECK_THAT(f.content(quiet), Catch::StartsWith("From: ceo@example.com\r\n"));
}

// Issue 15, item 2: a header section over the limit was cut mid-line; the Date: added after it
// was glued to the cut line and a Bcc: after the cut went out to every recipient. Pickup never
// cuts a header section: it refuses the message (sendmail refuses it first).
TEST_CASE("Pickup refuses an over-limit header section instead of cutting it", "[pickup]") {
    Fixture f;
    std::string content = "Subject: s\nX-Filler: ";
    for (int i = 0; i < 1100; ++i)
        content += std::string(1000, 'x') + "\n x";  // folded lines of one field, 1.1 MB
    content += "\nBcc: secret@example.net\n\nbody\n";
    std::string id = f.submit(kAlice, content);
    PickupResult r = f.take(id);
    CHECK(r.kind == Kind::quarantined);
    CHECK_THAT(r.detail, Catch::Contains("header section"));
    CHECK_FALSE(f.exists("data/" + id));
    CHECK_FALSE(f.exists("queue/" + id));
    CHECK(f.exists("corrupt/" + id));
}

// Issue 15, item 1: sendmail told the submitter "queued", pickup refused the file, and nobody
// heard of it again but the log and corrupt/. Whatever pickup refuses now brings a notice from
// MAILER-DAEMON to the submitter (through the maps: root's reaches the admin).
TEST_CASE("What pickup refuses is reported to the submitter by a notice", "[pickup]") {
    Fixture f;
    auto aliases = AliasMap::parse("/^root$/ admin@example.net\n", "aliases");
    REQUIRE(aliases);
    AddressMaps maps{std::make_shared<AliasMap>(std::move(*aliases)), nullptr};
    std::string raw = "nullrelay-maildrop 1\n";
    for (int i = 0; i <= 10000; ++i)
        raw += "rcpt user" + std::to_string(i) + "@example.net\n";
    raw += "content\nSubject: many\n\nbody\n";
    std::string id = f.submit_raw(raw);

    Pickup p(*f.spool, f.config, maps);
    PickupResult r = p.take(id);
    REQUIRE(r.kind == Kind::quarantined);
    CHECK_THAT(r.detail, Catch::Contains("too many recipients"));
    REQUIRE_FALSE(r.notice.empty());
    auto notice = f.spool->load(Place::queue, r.notice);
    REQUIRE(notice);
    CHECK(notice->sender.empty());  // from <>: never bounced itself
    REQUIRE(notice->recipients.size() == 1);
    // The test runs as root (or as whoever owns the file): its mail goes where the maps say.
    std::string owner = ::geteuid() == 0 ? "admin@example.net" : "";
    if (!owner.empty()) CHECK(notice->recipients[0].address == owner);
    std::string text = f.content(r.notice);
    CHECK_THAT(text, Catch::Contains("From: MAILER-DAEMON@relay.example.org"));
    CHECK_THAT(text, Catch::Contains("too many recipients"));
    CHECK_THAT(text, Catch::Contains("corrupt/" + id));
    CHECK_THAT(text, Catch::Contains("Auto-Submitted: auto-replied"));

    SECTION("a hostile file gets one too, addressed to its owner") {
        const std::string name = "0619A2B3C4D5E001";
        REQUIRE(::symlink("/etc/passwd", (f.root + "/maildrop/" + name).c_str()) == 0);
        PickupResult s = p.take(name);
        REQUIRE(s.kind == Kind::quarantined);
        CHECK_FALSE(s.notice.empty());
    }
}
