// Tests for mime_downgrade.hpp: 7-bit messages pass byte for byte, 8-bit and long-line parts
// are re-encoded with the headers they need, multiparts and attached messages are walked,
// what each part decodes to is unchanged, the result is the same however the input is cut,
// and the limits refuse a message instead of running away.
#include "mail/mime_downgrade.hpp"

#include <catch2/catch.hpp>

#include <random>
#include <string>
#include <vector>

#include "mime_test_codecs.hpp"

using namespace nullrelay;
using nullrelay::testing::lenient_base64_decode;
using nullrelay::testing::qp_decode;

namespace {

struct Run {
    std::string first;      // the first pass's output (must be the input)
    std::string converted;  // the second pass's, or the input when none was needed
    bool needed = false;
    std::optional<Error> error;
    std::optional<Unsendable> unsendable;
};

void feed_in_pieces(MimeDowngrade& d, std::string_view in, size_t chunk, std::string& out) {
    if (chunk == 0) {
        d.feed(in, out);
    } else {
        for (size_t i = 0; i < in.size(); i += chunk)
            d.feed(in.substr(i, chunk), out);
    }
    d.finish(out);
}

Run run(std::string_view in, size_t chunk = 0, MimeLimits limits = {}) {
    Run r;
    MimeDowngrade d(limits);
    feed_in_pieces(d, in, chunk, r.first);
    r.needed = d.needs_conversion();
    r.error = d.error();
    r.unsendable = d.unsendable();
    if (!r.needed) {
        r.converted = r.first;
        return r;
    }
    d.start_conversion();
    feed_in_pieces(d, in, chunk, r.converted);
    return r;
}

std::string crlf(std::string_view text) {
    std::string out;
    for (char c : text) {
        if (c == '\n') out += '\r';
        out += c;
    }
    return out;
}

void check_wire_safe(const std::string& m) {
    size_t line = 0;
    for (size_t i = 0; i < m.size(); ++i) {
        REQUIRE(static_cast<unsigned char>(m[i]) < 0x80);
        if (m[i] == '\n') {
            REQUIRE(line <= 999);  // 998 and the CR
            line = 0;
        } else {
            ++line;
        }
    }
    REQUIRE(m.ends_with("\r\n"));
}

// The header section and body of a (part of a) message.
std::pair<std::string, std::string> split_entity(const std::string& m) {
    size_t blank = m.find("\r\n\r\n");
    REQUIRE(blank != std::string::npos);
    return {m.substr(0, blank + 2), m.substr(blank + 4)};
}

// The parts between delimiters of `boundary` (without the CRLF before each delimiter).
std::vector<std::string> parts_of(const std::string& body, const std::string& boundary) {
    std::vector<std::string> parts;
    const std::string delim = "\r\n--" + boundary;
    size_t pos = body.find("--" + boundary + "\r\n");
    REQUIRE(pos != std::string::npos);
    pos += boundary.size() + 4;
    for (;;) {
        size_t next = body.find(delim, pos);
        REQUIRE(next != std::string::npos);
        parts.push_back(body.substr(pos, next - pos));
        pos = next + delim.size();
        if (body.compare(pos, 2, "--") == 0) break;
        pos += 2;
    }
    return parts;
}

bool has_field(const std::string& header, const std::string& line) {
    return header.find(line + "\r\n") != std::string::npos;
}

}  // namespace

TEST_CASE("mime downgrade: 7-bit short-line messages pass byte for byte", "[mime_downgrade]") {
    const std::vector<std::string> messages = {
        crlf("Subject: plain\n\nHello.\n"),
        crlf("Subject: no body\n"),
        crlf("From: a@example.org\nMIME-Version: 1.0\nContent-Type: multipart/mixed; "
             "boundary=\"b1\"\nContent-Transfer-Encoding: 8bit\n\npreamble\n--b1\n"
             "Content-Type: text/plain\n\n.leading dot\n-- \nsig\n--b1\nContent-Type: "
             "application/octet-stream\nContent-Transfer-Encoding: base64\n\nAAEC\n--b1--\n"
             "epilogue\n"),
        crlf("Subject: attached\nContent-Type: message/rfc822\n\nSubject: inner\n\ninner body\n"),
        crlf("Subject: x\n\n" + std::string(998, 'a') + "\n"),
        std::string("Subject: nul\r\n\r\na\0b\r\n", 22),
    };
    for (const auto& m : messages) {
        INFO(m.substr(0, 60));
        Run r = run(m);
        CHECK(r.first == m);
        CHECK_FALSE(r.needed);
        CHECK_FALSE(r.error);
        CHECK_FALSE(r.unsendable);
        CHECK(downgrade_to_7bit(m) == m);
    }
}

TEST_CASE("mime downgrade: an 8-bit text without MIME headers", "[mime_downgrade]") {
    const std::string body = crlf(
        "Gr\xC3\xBC\xC3\x9F"
        "e aus K\xC3\xB6ln.\n.\nEnd \n");
    const std::string m = crlf("From: root@example.org\nSubject: cron\n\n") + body;
    Run r = run(m);
    CHECK(r.first == m);
    REQUIRE(r.needed);
    check_wire_safe(r.converted);
    auto [header, encoded] = split_entity(r.converted);
    CHECK(header == crlf("From: root@example.org\nSubject: cron\nMIME-Version: 1.0\n"
                         "Content-Type: text/plain; charset=utf-8\n"
                         "Content-Transfer-Encoding: quoted-printable\n"));
    CHECK(encoded == crlf("Gr=C3=BC=C3=9Fe aus K=C3=B6ln.\n=2E\nEnd=20\n"));
    CHECK(qp_decode(encoded) == body);
}

TEST_CASE("mime downgrade: labelled 8bit, declared charset kept, invalid UTF-8",
          "[mime_downgrade]") {
    SECTION("Content-Transfer-Encoding: 8bit is replaced") {
        const std::string m = crlf(
            "MIME-Version: 1.0\nContent-Type: text/plain; charset=iso-8859-1\n"
            "Content-Transfer-Encoding: 8bit\nSubject: s\n\ncaf\xE9\n");
        Run r = run(m);
        REQUIRE(r.needed);
        auto [header, encoded] = split_entity(r.converted);
        CHECK(header == crlf("MIME-Version: 1.0\nContent-Type: text/plain; charset=iso-8859-1\n"
                             "Subject: s\nContent-Transfer-Encoding: quoted-printable\n"));
        CHECK(encoded == "caf=E9\r\n");
    }
    SECTION("a text/plain without charset gets one; bytes that are not UTF-8: unknown-8bit") {
        const std::string m = crlf("Content-Type: text/plain\n\ncaf\xE9\n");
        Run r = run(m);
        REQUIRE(r.needed);
        auto [header, encoded] = split_entity(r.converted);
        CHECK(header == crlf("Content-Type: text/plain;\n\tcharset=unknown-8bit\n"
                             "MIME-Version: 1.0\nContent-Transfer-Encoding: quoted-printable\n"));
    }
}

TEST_CASE("mime downgrade: a 5,000-octet line is cut by soft breaks", "[mime_downgrade]") {
    std::string line;
    for (int i = 0; i < 500; ++i)
        line += "0123456789";
    const std::string m = crlf("Subject: log\n\n") + line.substr(0, 5000) + "\r\n";
    Run r = run(m);
    REQUIRE(r.needed);
    check_wire_safe(r.converted);
    auto [header, encoded] = split_entity(r.converted);
    CHECK(has_field(header, "Content-Transfer-Encoding: quoted-printable"));
    CHECK(header.find("charset") == std::string::npos);  // 7-bit text: us-ascii is right
    CHECK(qp_decode(encoded) == line.substr(0, 5000) + "\r\n");
}

TEST_CASE("mime downgrade: mostly non-Latin text goes as base64", "[mime_downgrade]") {
    std::string text;
    for (int i = 0; i < 50; ++i)
        text += "\xD0\x9F\xD1\x80\xD0\xB8\xD0\xB2\xD0\xB5\xD1\x82 ";
    const std::string m = crlf("Subject: s\n\n") + text + "\r\n";
    Run r = run(m);
    auto [header, encoded] = split_entity(r.converted);
    CHECK(has_field(header, "Content-Type: text/plain; charset=utf-8"));
    CHECK(has_field(header, "Content-Transfer-Encoding: base64"));
    CHECK(lenient_base64_decode(encoded) == text + "\r\n");
    check_wire_safe(r.converted);
}

TEST_CASE("mime downgrade: a multipart with an 8-bit text and a binary attachment",
          "[mime_downgrade]") {
    std::string binary;
    for (int i = 0; i < 600; ++i) {
        char c = static_cast<char>(i % 256);
        binary += c == '\r' || c == '\n' ? 'x' : c;  // what a CRLF message can carry raw
    }
    const std::string text = crlf("Bonjour \xC3\xA0 tous.\n-- \nRoot\n");
    const std::string m = crlf(
                              "From: root@example.org\nMIME-Version: 1.0\n"
                              "Content-Type: multipart/mixed; boundary=\"=-=b=-=\"\n"
                              "Content-Transfer-Encoding: 8bit\n\nThis is a multi-part message.\n"
                              "--=-=b=-=\nContent-Type: text/plain; charset=utf-8\n"
                              "Content-Transfer-Encoding: 8bit\n\n") +
                          text +
                          crlf(
                              "\n--=-=b=-=\nContent-Type: application/octet-stream\n"
                              "Content-Disposition: attachment; filename=\"donn\xC3\xA9"
                              "es.bin\"\n"
                              "Content-Transfer-Encoding: binary\n\n") +
                          binary + crlf("\n--=-=b=-=--\nepilogue\n");
    Run r = run(m);
    REQUIRE(r.needed);
    check_wire_safe(r.converted);
    auto [header, body] = split_entity(r.converted);
    CHECK(has_field(header, "Content-Transfer-Encoding: 7bit"));  // relabelled
    CHECK(body.starts_with("This is a multi-part message.\r\n--=-=b=-=\r\n"));
    CHECK(body.ends_with("\r\n--=-=b=-=--\r\nepilogue\r\n"));
    auto parts = parts_of(body, "=-=b=-=");
    REQUIRE(parts.size() == 2);
    auto [h1, b1] = split_entity(parts[0]);
    CHECK(h1 == crlf("Content-Type: text/plain; charset=utf-8\n"
                     "Content-Transfer-Encoding: quoted-printable\n"));
    // Of the two CRLFs before the delimiter, the last is the delimiter's.
    CHECK(qp_decode(b1) == text);
    auto [h2, b2] = split_entity(parts[1]);
    CHECK(has_field(h2, "Content-Disposition: attachment; filename*=utf-8''donn%C3%A9es.bin"));
    CHECK(has_field(h2, "Content-Transfer-Encoding: base64"));
    CHECK(lenient_base64_decode(b2) == binary);
}

TEST_CASE("mime downgrade: an attached message is walked inside", "[mime_downgrade]") {
    const std::string m = crlf(
        "Subject: fwd\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=b\n\n--b\n"
        "Content-Type: text/plain\n\nsee below\n--b\nContent-Type: message/rfc822\n"
        "Content-Transfer-Encoding: 8bit\n\nFrom: Jos\xC3\xA9 <j@example.org>\n"
        "Subject: \xC3\xA9t\xC3\xA9\n\nCorps \xC3\xA0 l'int\xC3\xA9rieur.\n--b--\n");
    Run r = run(m);
    REQUIRE(r.needed);
    check_wire_safe(r.converted);
    auto [header, body] = split_entity(r.converted);
    CHECK(header.find("MIME-Version: 1.0\r\nMIME-Version") == std::string::npos);
    auto parts = parts_of(body, "b");
    REQUIRE(parts.size() == 2);
    CHECK(parts[0] == crlf("Content-Type: text/plain\n\nsee below"));
    auto [h2, inner] = split_entity(parts[1]);
    CHECK(h2 == crlf("Content-Type: message/rfc822\nContent-Transfer-Encoding: 7bit\n"));
    auto [ih, ib] = split_entity(inner);
    CHECK(ih == crlf("From: =?utf-8?Q?Jos=C3=A9?= <j@example.org>\n"
                     "Subject: =?utf-8?B?w6l0w6k=?=\nMIME-Version: 1.0\n"
                     "Content-Type: text/plain; charset=utf-8\n"
                     "Content-Transfer-Encoding: quoted-printable\n"));
    CHECK(qp_decode(ib) == "Corps \xC3\xA0 l'int\xC3\xA9rieur.");
}

TEST_CASE("mime downgrade: an attached message with an 8-bit address goes as message/global",
          "[mime_downgrade]") {
    const std::string inner = crlf("From: j\xC3\xB6rg@example.org\nSubject: s\n\nbody\n");
    const std::string m =
        crlf(
            "Subject: fwd\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=b\n\n"
            "--b\nContent-Type: message/rfc822; name=x\n\n") +
        inner + crlf("--b--\n");
    Run r = run(m);
    REQUIRE(r.needed);
    CHECK_FALSE(r.unsendable);
    check_wire_safe(r.converted);
    auto parts = parts_of(split_entity(r.converted).second, "b");
    REQUIRE(parts.size() == 1);
    auto [h, b] = split_entity(parts[0]);
    CHECK(h == crlf("Content-Type: message/global; name=x\nContent-Transfer-Encoding: base64\n"));
    CHECK(lenient_base64_decode(b) + "\r\n" == inner);
}

TEST_CASE("mime downgrade: a message/global ends where the attached message ended",
          "[mime_downgrade]") {
    // The attached message reuses the outer boundary: walked inside, its own delimiters are
    // its multipart's; they must not end the attachment in the second pass either.
    const std::string inner =
        "From: j\xC3\xB6rg@example.org\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n"
        "--b\r\n\r\ninner part \xC3\xA9\r\n--b--\r\n";
    const std::string m =
        "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: message/rfc822\r\n"
        "\r\n" +
        inner + "\r\n--b\r\n\r\nlast part\r\n--b--\r\n";
    Run r = run(m);
    REQUIRE(r.needed);
    CHECK_FALSE(r.unsendable);
    check_wire_safe(r.converted);
    auto parts = parts_of(split_entity(r.converted).second, "b");
    REQUIRE(parts.size() == 2);
    auto [h, b] = split_entity(parts[0]);
    CHECK(h == "Content-Type: message/global\r\nContent-Transfer-Encoding: base64\r\n");
    CHECK(lenient_base64_decode(b) == inner);
    CHECK(parts[1] == "\r\nlast part");
    CHECK(downgrade_to_7bit(r.converted) == r.converted);
}

TEST_CASE("mime downgrade: an 8-bit address in the message's own header is unsendable",
          "[mime_downgrade]") {
    const std::string m = crlf("From: j\xC3\xB6rg@example.org\nSubject: s\n\nbody \xC3\xA9\n");
    Run r = run(m);
    REQUIRE(r.unsendable);
    CHECK(r.unsendable->status == "5.6.9");
    CHECK(r.unsendable->reason.find("From") != std::string::npos);
    CHECK(r.needed);  // the body is converted all the same
}

TEST_CASE("mime downgrade: declared quoted-printable and base64 are repaired in place",
          "[mime_downgrade]") {
    std::string b64line;
    for (int i = 0; i < 100; ++i)
        b64line += "QUJD";
    const std::string m =
        crlf(
            "MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=b\n\n--b\n"
            "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: "
            "quoted-printable\n\nraw \xC3\xA9 and =C3=A9\n--b\nContent-Type: "
            "application/octet-stream\nContent-Transfer-Encoding: base64\n\n") +
        b64line + b64line + b64line + crlf("\n--b--\n");
    Run r = run(m);
    REQUIRE(r.needed);
    check_wire_safe(r.converted);
    auto parts = parts_of(split_entity(r.converted).second, "b");
    REQUIRE(parts.size() == 2);
    auto [h1, b1] = split_entity(parts[0]);
    CHECK(has_field(h1, "Content-Transfer-Encoding: quoted-printable"));
    CHECK(b1 == "raw =C3=A9 and =C3=A9");
    auto [h2, b2] = split_entity(parts[1]);
    CHECK(lenient_base64_decode(b2) == lenient_base64_decode(b64line + b64line + b64line));
    CHECK(b2.find("\r\n") == 76);
}

TEST_CASE("mime downgrade: an 8-bit preamble is encoded, the structure kept", "[mime_downgrade]") {
    const std::string m = crlf(
        "Content-Type: multipart/alternative; boundary=\"x\"\n\nPr\xC3\xA9"
        "ambule\n--x\n\n"
        "a\n--x--\n");
    Run r = run(m);
    REQUIRE(r.needed);
    check_wire_safe(r.converted);
    CHECK(r.converted ==
          crlf("Content-Type: multipart/alternative; boundary=\"x\"\nMIME-Version: 1.0\n\n"
               "Pr=C3=A9ambule\n--x\n\na\n--x--\n"));
}

TEST_CASE("mime downgrade: the same result however the input is cut", "[mime_downgrade]") {
    std::mt19937 rng(42);
    std::string m =
        "Subject: \xC3\xA9\nContent-Type: multipart/mixed; boundary=zz\n\n--zz\n"
        "Content-Type: text/plain\n\n";
    for (int i = 0; i < 300; ++i)
        m += static_cast<char>(i % 7 == 0 ? '\n' : "ab\xC3\xA9 .-="[rng() % 8]);
    m += "\n--zz\nContent-Type: message/rfc822\n\nSubject: in\n\n" + std::string(3000, 'q') +
         "\n--zz--\n";
    m = crlf(m);
    Run whole = run(m);
    REQUIRE(whole.needed);
    check_wire_safe(whole.converted);
    for (size_t chunk : {1, 2, 3, 5, 64, 999}) {
        INFO("chunk " << chunk);
        Run pieces = run(m, chunk);
        CHECK(pieces.first == m);
        CHECK(pieces.converted == whole.converted);
    }
}

TEST_CASE("mime downgrade: 998 octets is the longest line kept, however the input is cut",
          "[mime_downgrade]") {
    for (size_t length : {998, 999}) {
        for (const char* type : {"", "Content-Type: multipart/mixed; boundary=b\r\n"}) {
            const bool multipart = *type != '\0';
            std::string m = std::string("Subject: s\r\n") + type + "\r\n" +
                            (multipart ? "--b\r\n\r\n" : "") + "a\r\n" + std::string(length, 'x') +
                            "\r\nb\r\n" + (multipart ? "--b--\r\n" : "");
            for (size_t chunk : {0, 1, 2, 7, 1000, 1001}) {
                INFO("length " << length << ", multipart " << multipart << ", chunk " << chunk);
                Run r = run(m, chunk);
                CHECK(r.first == m);
                CHECK(r.needed == (length > 998));
            }
        }
    }
}

TEST_CASE("mime downgrade: a delimiter padded past 998 octets is text", "[mime_downgrade]") {
    const std::string m = "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\r\nx\r\n--b" +
                          std::string(1000, ' ') + "\r\ny\r\n--b--\r\n";
    Run r = run(m);
    REQUIRE(r.needed);
    check_wire_safe(r.converted);
}

TEST_CASE("mime downgrade: converting twice changes nothing more", "[mime_downgrade]") {
    const std::string m = crlf(
        "From: Jos\xC3\xA9 <j@example.org>\nContent-Type: multipart/mixed; boundary=b\n\n--b\n\n"
        "\xC3\xA9\n--b\nContent-Type: image/png\n\n\x89PNG\n--b--\n");
    std::string once = downgrade_to_7bit(m);
    check_wire_safe(once);
    CHECK(once != m);
    CHECK(downgrade_to_7bit(once) == once);
}

TEST_CASE("mime downgrade: limits on parts and nesting", "[mime_downgrade]") {
    auto many_parts = [](size_t n) {
        std::string m = crlf("Content-Type: multipart/mixed; boundary=p\n\n");
        for (size_t i = 0; i < n; ++i)
            m += "--p\r\n\r\n\xC3\xA9\r\n";
        return m + "--p--\r\n";
    };
    SECTION("100,000 parts are converted") {
        std::string m = many_parts(100'000);
        Run r = run(m);
        CHECK_FALSE(r.error);
        REQUIRE(r.needed);
        check_wire_safe(r.converted);
    }
    SECTION("100,001 parts are refused") {
        Run r = run(many_parts(100'001));
        REQUIRE(r.error);
        CHECK(r.error->exit_code == EX_DATAERR);
        CHECK(r.error->message.find("more than 100000 MIME parts") != std::string::npos);
        CHECK(r.first == many_parts(100'001));  // the first pass still passes it through
    }
    auto nested = [](size_t depth) {
        std::string m;
        for (size_t i = 0; i < depth; ++i)
            m += "Content-Type: multipart/mixed; boundary=n" + std::to_string(i) + "\r\n\r\n--n" +
                 std::to_string(i) + "\r\n";
        m += "\r\n\xC3\xA9\r\n";
        for (size_t i = depth; i-- > 0;)
            m += "--n" + std::to_string(i) + "--\r\n";
        return m;
    };
    SECTION("50 and 100 levels are converted") {
        for (size_t depth : {50, 100}) {
            Run r = run(nested(depth));
            CHECK_FALSE(r.error);
            REQUIRE(r.needed);
            check_wire_safe(r.converted);
        }
    }
    SECTION("101 levels are refused") {
        Run r = run(nested(101));
        REQUIRE(r.error);
        CHECK(r.error->message.find("nested more than 100 deep") != std::string::npos);
    }
    SECTION("attached messages count as levels too") {
        std::string m;
        for (int i = 0; i < 101; ++i)
            m += "Content-Type: message/rfc822\r\n\r\n";
        m += "\r\nbody\r\n";
        CHECK(run(m).error);
    }
    SECTION("a boundary too long for a line is refused") {
        Run r = run("Content-Type: multipart/mixed; boundary=" + std::string(995, 'b') +
                    "\r\n\r\nx\r\n");
        REQUIRE(r.error);
        CHECK(r.error->message.find("boundary") != std::string::npos);
    }
    SECTION("scan(), as nullrelay-sendmail uses it, finds the same limits") {
        for (size_t n : {100'000, 100'001}) {
            std::string m = many_parts(n);
            MimeDowngrade d;
            for (size_t i = 0; i < m.size(); i += 4096)
                d.scan(std::string_view(m).substr(i, 4096));
            d.finish_scan();
            CHECK(d.error().has_value() == (n > 100'000));
        }
        MimeDowngrade deep;
        deep.scan(nested(101));
        deep.finish_scan();
        CHECK(deep.error());
    }
    SECTION("smaller limits are honoured") {
        Run r = run(many_parts(10), 0, MimeLimits{.max_parts = 5, .max_depth = 3});
        CHECK(r.error);
    }
}
