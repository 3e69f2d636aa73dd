// Tests for metrics_file.hpp: the file is written at once, then at most once per interval,
// only while something may have changed, and only when the text differs; a write replaces
// the file whole (a new inode by rename, no temporary file left beside it).
#include "nullrelayd/metrics_file.hpp"

#include <sys/stat.h>

#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

using namespace nullrelay;

namespace {

struct TempDir {
    std::string path;
    TempDir() {
        char tmpl[] = "/tmp/nullrelay-metrics-test.XXXXXX";
        REQUIRE(::mkdtemp(tmpl));
        path = tmpl;
    }
    ~TempDir() { std::filesystem::remove_all(path); }
};

std::string read(const std::string& path) {
    std::ifstream in(path);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

ino_t inode(const std::string& path) {
    struct stat st {};
    REQUIRE(::stat(path.c_str(), &st) == 0);
    return st.st_ino;
}

}  // namespace

TEST_CASE("the metrics file is written when due and changed only", "[metrics_file]") {
    TempDir dir;
    const std::string path = dir.path + "/nullrelay.prom";
    MetricsFile file;
    CHECK(file.timeout_ms(0) == -1);  // off
    file.configure(path, std::chrono::seconds(60));
    REQUIRE(file.enabled());
    CHECK(file.timeout_ms(1000) == 0);  // due at once

    int renders = 0;
    std::string text = "a 1\n";
    bool changing = false;
    auto render = [&] {
        ++renders;
        return MetricsFile::Rendered{text, changing};
    };
    file.write_if_due(1000, render);
    CHECK(renders == 1);
    CHECK(read(path) == "a 1\n");
    CHECK((std::filesystem::status(path).permissions() & std::filesystem::perms::others_read) !=
          std::filesystem::perms::none);
    const ino_t first = inode(path);

    // Nothing happened since: no wake-up, no render.
    CHECK(file.timeout_ms(2000) == -1);
    file.write_if_due(100'000, render);
    CHECK(renders == 1);

    // Something happened: not before the interval is over.
    file.touch();
    CHECK(file.timeout_ms(2000) == 59'000);
    file.write_if_due(2000, render);
    CHECK(renders == 1);
    // Then rendered, but the same text is not written again.
    file.write_if_due(61'000, render);
    CHECK(renders == 2);
    CHECK(inode(path) == first);

    // A changed value is written, whole: a new file renamed over the old one.
    text = "a 2\n";
    file.touch();
    file.write_if_due(121'000, render);
    CHECK(renders == 3);
    CHECK(read(path) == "a 2\n");
    CHECK(inode(path) != first);
    for (const auto& entry : std::filesystem::directory_iterator(dir.path))
        CHECK(entry.path().filename() == "nullrelay.prom");

    // Mail waiting (its age grows): looked at again each interval without being touched.
    changing = true;
    file.touch();
    file.write_if_due(181'000, render);
    CHECK(file.timeout_ms(181'000) == 60'000);
}
