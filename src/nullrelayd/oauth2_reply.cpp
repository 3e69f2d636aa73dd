#include "nullrelayd/oauth2_reply.hpp"

#include <algorithm>
#include <optional>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "util/text.hpp"

namespace nullrelay {

namespace {

using nlohmann::json;

constexpr size_t kMaxDescription = 300;
constexpr std::int64_t kMaxSeconds = 10ll * 365 * 86400;

// A JSON object, or nothing (not JSON at all, or another JSON value).
std::optional<json> parse_object(const std::string& body) {
    json j = json::parse(body, nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded() || !j.is_object()) return std::nullopt;
    return j;
}

std::string text_field(const json& j, const char* key) {
    auto it = j.find(key);
    if (it == j.end() || !it->is_string()) return "";
    return it->get<std::string>();
}

// Seconds: a number, or a string of digits (Azure AD's v1 endpoint sends "3599").
std::int64_t seconds_field(const json& j, const char* key) {
    auto it = j.find(key);
    if (it == j.end()) return 0;
    std::int64_t v = 0;
    if (it->is_number_integer() || it->is_number_unsigned()) {
        v = it->get<std::int64_t>();
    } else if (it->is_number_float()) {
        v = static_cast<std::int64_t>(it->get<double>());
    } else if (it->is_string()) {
        std::string s = it->get<std::string>();
        if (s.empty() || s.size() > 12 ||
            !std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c); }))
            return 0;
        v = std::stoll(s);
    }
    return std::clamp<std::int64_t>(v, 0, kMaxSeconds);
}

std::string short_line(std::string s) {
    s = one_line(s);
    if (s.size() > kMaxDescription) s = s.substr(0, kMaxDescription) + "...";
    return s;
}

// RFC 6750's b64token and more: visible ASCII, no blank. It travels in an SMTP AUTH line
// (base64-encoded) and alone on the first line of a file.
bool is_token(const std::string& s) {
    return !s.empty() && s.size() <= 16384 &&
           std::all_of(s.begin(), s.end(), [](unsigned char c) { return c > ' ' && c < 0x7f; });
}

Error not_oauth2(const HttpReply& reply, const char* what) {
    return Error{EX_TEMPFAIL,
                 fmt::format("HTTP {} without {} (not an OAuth2 reply)", reply.status, what)};
}

}  // namespace

std::string describe_oauth2_error(const std::string& error, const std::string& description) {
    return description.empty() ? error : fmt::format("{} ({})", error, description);
}

Result<TokenReply> parse_token_reply(const HttpReply& reply) {
    auto j = parse_object(reply.body);
    if (!j) return not_oauth2(reply, "a JSON object");
    TokenReply r;
    r.error = short_line(text_field(*j, "error"));
    if (!r.error.empty() || reply.status != 200) {
        if (r.error.empty()) return not_oauth2(reply, "an access token or an error");
        r.description = short_line(text_field(*j, "error_description"));
        return r;
    }
    r.access_token = text_field(*j, "access_token");
    r.token_type = text_field(*j, "token_type");
    if (!is_token(r.access_token))
        return Error{EX_TEMPFAIL, "the token endpoint's reply has no usable access_token"};
    // RFC 6749 5.1: token_type is required; only bearer tokens work with XOAUTH2.
    if (!iequals(r.token_type, "bearer"))
        return Error{EX_TEMPFAIL, fmt::format("the token endpoint issued a '{}' token, not a "
                                              "bearer token",
                                              short_line(r.token_type))};
    r.expires_in = seconds_field(*j, "expires_in");
    r.refresh_token = text_field(*j, "refresh_token");
    if (!r.refresh_token.empty() && !is_token(r.refresh_token))
        return Error{EX_TEMPFAIL, "the token endpoint's refresh_token is not a token"};
    r.refresh_token_expires_in = seconds_field(*j, "refresh_token_expires_in");
    return r;
}

Result<DeviceAuthorization> parse_device_reply(const HttpReply& reply) {
    auto j = parse_object(reply.body);
    if (!j) return not_oauth2(reply, "a JSON object");
    DeviceAuthorization d;
    d.error = short_line(text_field(*j, "error"));
    if (!d.error.empty() || reply.status != 200) {
        if (d.error.empty()) return not_oauth2(reply, "a device code or an error");
        d.description = short_line(text_field(*j, "error_description"));
        return d;
    }
    d.device_code = text_field(*j, "device_code");
    d.user_code = short_line(text_field(*j, "user_code"));
    d.verification_uri = short_line(text_field(*j, "verification_uri"));
    if (d.verification_uri.empty())
        d.verification_uri = short_line(text_field(*j, "verification_url"));
    d.verification_uri_complete = short_line(text_field(*j, "verification_uri_complete"));
    d.expires_in = seconds_field(*j, "expires_in");
    if (std::int64_t interval = seconds_field(*j, "interval"); interval > 0)
        d.interval = std::min<std::int64_t>(interval, 60);
    if (!is_token(d.device_code) || d.user_code.empty() || d.verification_uri.empty())
        return Error{EX_TEMPFAIL,
                     "the device authorization reply lacks device_code, user_code "
                     "or verification_uri"};
    if (d.expires_in == 0) d.expires_in = 900;
    return d;
}

}  // namespace nullrelay
