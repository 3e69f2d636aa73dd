// Tests for credentials.hpp: where the smarthost secret comes from, and the checks that keep
// it from other local users.
#include "nullrelayd/credentials.hpp"

#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

using namespace nullrelay;

namespace {

struct TempDir {
    std::string path;
    TempDir() {
        char tmpl[] = "/tmp/nullrelay-creds-XXXXXX";
        REQUIRE(::mkdtemp(tmpl) != nullptr);
        path = tmpl;
    }
    ~TempDir() { std::filesystem::remove_all(path); }
    std::string write(const std::string& name, const std::string& text, mode_t mode) const {
        std::string file = path + "/" + name;
        std::ofstream(file) << text;
        REQUIRE(::chmod(file.c_str(), mode) == 0);
        return file;
    }
};

}  // namespace

TEST_CASE("password_file: its first line, and only when other users cannot read it",
          "[credentials]") {
    TempDir d;
    Config config;
    config.auth_user = "relay@example.org";
    config.password_file = d.write("password", "s3cret\r\nsecond line\n", 0600);
    auto c = load_credentials(config);
    REQUIRE(c);
    CHECK(c->password == "s3cret");
    CHECK(c->user == "relay@example.org");

    config.password_file = d.write("open", "s3cret\n", 0644);
    auto open = load_credentials(config);
    REQUIRE_FALSE(open);
    CHECK(open.error().exit_code == EX_CONFIG);
    CHECK_THAT(open.error().message, Catch::Contains("readable by every user"));

    config.password_file = d.write("empty", "\n", 0600);
    CHECK_FALSE(load_credentials(config));
}

// Issue 16, item 5: a 0640 secret of the daemon's own group was accepted; a group shares it
// with its members and its setgid programs. Any group-readable secret is refused now.
TEST_CASE("password_file readable by a group, the daemon's own included, is refused",
          "[credentials]") {
    TempDir d;
    Config config;
    config.auth_user = "relay@example.org";
    config.password_file = d.write("password", "s3cret\n", 0640);
    REQUIRE(::chown(config.password_file.c_str(), static_cast<uid_t>(-1), ::getegid()) == 0);
    auto c = load_credentials(config);
    REQUIRE_FALSE(c);
    CHECK(c.error().exit_code == EX_CONFIG);
    CHECK_THAT(c.error().message, Catch::Contains("readable by its group"));
    CHECK_THAT(c.error().message, Catch::Contains("chmod 600"));
}

// Issue 16, item 4: the mode was checked on an open descriptor but the file was then read
// again by its path, so a file swapped in between was read unchecked. What is read now is
// the descriptor that was checked.
TEST_CASE("a secret is read through the descriptor that was checked", "[credentials]") {
    TempDir d;
    std::string path = d.write("password", "checked\n", 0600);
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    REQUIRE(fd >= 0);
    std::string swapped = d.write("swapped", "swapped in\n", 0644);
    REQUIRE(::rename(swapped.c_str(), path.c_str()) == 0);  // after the open, before the read
    auto pw = read_secret(fd, path, "password_file");
    ::close(fd);
    REQUIRE(pw);
    CHECK(*pw == "checked");
}
