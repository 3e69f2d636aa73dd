// Tests for quoted_printable.hpp: soft breaks keep lines at 76, trailing white space and
// CR/LF on their own are encoded, CRLF is a hard break, a '.' or '-' never starts a line,
// and decoding gives back the input, however the input is cut into pieces.
#include "mail/quoted_printable.hpp"

#include <catch2/catch.hpp>

#include <random>
#include <string>
#include <vector>

#include "mime_test_codecs.hpp"

using namespace nullrelay;
using nullrelay::testing::qp_decode;

namespace {

std::string encode(std::string_view in, size_t chunk = 0) {
    QuotedPrintableEncoder e;
    std::string out;
    if (chunk == 0) {
        e.feed(in, out);
    } else {
        for (size_t i = 0; i < in.size(); i += chunk)
            e.feed(in.substr(i, chunk), out);
    }
    e.finish(out);
    return out;
}

std::string repair(std::string_view in, size_t chunk = 0) {
    QuotedPrintableRepair r;
    std::string out;
    if (chunk == 0) {
        r.feed(in, out);
    } else {
        for (size_t i = 0; i < in.size(); i += chunk)
            r.feed(in.substr(i, chunk), out);
    }
    r.finish(out);
    return out;
}

std::vector<std::string> lines_of(const std::string& s) {
    std::vector<std::string> lines;
    size_t pos = 0;
    while (pos <= s.size()) {
        size_t eol = s.find("\r\n", pos);
        if (eol == std::string::npos) {
            lines.push_back(s.substr(pos));
            break;
        }
        lines.push_back(s.substr(pos, eol - pos));
        pos = eol + 2;
    }
    return lines;
}

void check_seven_bit_short(const std::string& encoded) {
    for (unsigned char c : encoded)
        REQUIRE(c < 0x80);
    for (const auto& line : lines_of(encoded)) {
        INFO(line);
        REQUIRE(line.size() <= 76);
        REQUIRE_FALSE(line.starts_with("."));
        REQUIRE_FALSE(line.starts_with("-"));
    }
    // Bare CR or LF never: every line break is CRLF.
    for (size_t i = 0; i < encoded.size(); ++i) {
        if (encoded[i] == '\n') REQUIRE((i > 0 && encoded[i - 1] == '\r'));
        if (encoded[i] == '\r') REQUIRE((i + 1 < encoded.size() && encoded[i + 1] == '\n'));
    }
}

}  // namespace

TEST_CASE("quoted-printable: table", "[quoted_printable]") {
    struct Case {
        const char* label;
        std::string in, want;
    };
    const std::vector<Case> cases = {
        {"plain ASCII kept", "Hello, world\r\n", "Hello, world\r\n"},
        {"8-bit octets", "caf\xC3\xA9\r\n", "caf=C3=A9\r\n"},
        {"equals sign", "a=b\r\n", "a=3Db\r\n"},
        {"trailing space before CRLF", "abc \r\n", "abc=20\r\n"},
        {"trailing tab before CRLF", "abc\t\r\n", "abc=09\r\n"},
        {"only the last blank is encoded", "a  \r\n", "a =20\r\n"},
        {"blank inside a line kept", "a b\tc\r\n", "a b\tc\r\n"},
        {"trailing blank at the end of the text", "end ", "end=20"},
        {"CRLF is a hard break", "a\r\nb", "a\r\nb"},
        {"empty lines kept", "\r\n\r\n", "\r\n\r\n"},
        {"bare LF is data", "a\nb", "a=0Ab"},
        {"bare CR is data", "a\rb", "a=0Db"},
        {"CR at the end is data", "a\r", "a=0D"},
        {"dot at line start", ".\r\n.hidden\r\n", "=2E\r\n=2Ehidden\r\n"},
        {"dot inside a line kept", "a.b\r\n", "a.b\r\n"},
        {"dash at line start", "--boundary\r\n", "=2D-boundary\r\n"},
        {"NUL and DEL", std::string("a\0b\x7f", 4), "a=00b=7F"},
    };
    for (const auto& c : cases) {
        INFO(c.label);
        CHECK(encode(c.in) == c.want);
        CHECK(qp_decode(encode(c.in)) == c.in);
    }
}

TEST_CASE("quoted-printable: soft breaks keep lines at 76 at most", "[quoted_printable]") {
    std::string line(200, 'x');
    std::string out = encode(line + "\r\n");
    auto lines = lines_of(out);
    REQUIRE(lines.size() == 4);  // three soft-broken lines, then the empty rest after CRLF
    CHECK(lines[0] == std::string(75, 'x') + "=");
    CHECK(lines[1] == std::string(75, 'x') + "=");
    CHECK(lines[2] == std::string(50, 'x'));
    CHECK(qp_decode(out) == line + "\r\n");
    check_seven_bit_short(out);
}

TEST_CASE("quoted-printable: a soft break never splits =XX", "[quoted_printable]") {
    std::string text = std::string(74, 'a') + "\xC3\xA9" + std::string(10, 'b');
    std::string out = encode(text);
    auto lines = lines_of(out);
    REQUIRE(lines.size() == 2);
    CHECK(lines[0] == std::string(74, 'a') + "=");
    CHECK(lines[1].starts_with("=C3=A9b"));
    CHECK(qp_decode(out) == text);
}

TEST_CASE("quoted-printable: a line that starts after a soft break gets its dot encoded",
          "[quoted_printable]") {
    std::string text = std::string(75, 'a') + ".b" + std::string(74, 'c') + "-d";
    std::string out = encode(text);
    auto lines = lines_of(out);
    REQUIRE(lines.size() >= 2);
    CHECK(lines[1].starts_with("=2Eb"));
    check_seven_bit_short(out);
    CHECK(qp_decode(out) == text);
}

TEST_CASE("quoted-printable: trailing blank before a soft break stays literal",
          "[quoted_printable]") {
    std::string text = std::string(74, 'a') + " " + std::string(5, 'b');
    std::string out = encode(text);
    CHECK(lines_of(out)[0] == std::string(74, 'a') + " =");
    CHECK(qp_decode(out) == text);
}

TEST_CASE("quoted-printable: CRLF split between feeds is still one hard break",
          "[quoted_printable]") {
    QuotedPrintableEncoder e;
    std::string out;
    e.feed("abc \r", out);
    e.feed("\ndef", out);
    e.finish(out);
    CHECK(out == "abc=20\r\ndef");
}

TEST_CASE("quoted-printable: any input round-trips, whatever the chunking", "[quoted_printable]") {
    std::mt19937 rng(19);
    for (int round = 0; round < 200; ++round) {
        std::string text;
        size_t n = rng() % 600;
        for (size_t i = 0; i < n; ++i) {
            switch (rng() % 8) {
                case 0:
                    text += "\r\n";
                    break;
                case 1:
                    text += ' ';
                    break;
                case 2:
                    text += '.';
                    break;
                case 3:
                    text += static_cast<char>(rng() % 256);
                    break;
                default:
                    text += static_cast<char>('a' + rng() % 26);
            }
        }
        std::string whole = encode(text);
        INFO("round " << round);
        CHECK(qp_decode(whole) == text);
        check_seven_bit_short(whole);
        CHECK(encode(text, 1 + rng() % 7) == whole);
    }
}

TEST_CASE("quoted-printable repair: 8-bit, bad escapes and long lines", "[quoted_printable]") {
    struct Case {
        const char* label;
        std::string in, want;
    };
    const std::vector<Case> cases = {
        {"valid QP kept", "caf=C3=A9 =\r\nx\r\n", "caf=C3=A9 =\r\nx\r\n"},
        {"lower-case escape kept", "=c3=a9\r\n", "=c3=a9\r\n"},
        {"raw 8-bit escaped", "caf\xC3\xA9\r\n", "caf=C3=A9\r\n"},
        {"stray equals", "a=b\r\n", "a=3Db\r\n"},
        {"equals before one hex digit", "a=4x\r\n", "a=3D4x\r\n"},
        {"equals before 8-bit", "=\xC3\r\n", "=3D=C3\r\n"},
        {"equals at the very end", "abc=", "abc="},
        {"soft break with blanks after it", "a= \r\nb", "a= \r\nb"},
    };
    for (const auto& c : cases) {
        INFO(c.label);
        CHECK(repair(c.in) == c.want);
        CHECK(qp_decode(repair(c.in)) == qp_decode(c.in));
    }
    std::string long_line;
    for (int i = 0; i < 400; ++i)
        long_line += "=C3=A9-.";
    std::string out = repair(long_line + "\r\n");
    check_seven_bit_short(out);
    CHECK(qp_decode(out) == qp_decode(long_line + "\r\n"));
    CHECK(repair(long_line + "\r\n", 5) == out);
}
