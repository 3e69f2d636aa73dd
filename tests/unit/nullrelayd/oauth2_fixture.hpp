// Shared by the OAuth2 tests: a scripted token endpoint (replies in order, requests kept), a
// private state directory, and a configuration with the oauth2_* keys set.
#pragma once

#include <catch2/catch.hpp>

#include <stdlib.h>
#include <sys/stat.h>

#include <deque>
#include <filesystem>
#include <fstream>
#include <string>

#include "config/config.hpp"
#include "nullrelayd/https_client.hpp"

namespace nullrelay::test {

struct ScriptedHttps : HttpsClient {
    struct Sent {
        std::string url;
        Form form;
        std::string field(const std::string& name) const {
            for (const auto& [n, v] : form)
                if (n == name) return v;
            return "<absent>";
        }
    };
    std::deque<Result<HttpReply>> replies;
    std::vector<Sent> sent;

    void reply(long status, std::string body) { replies.push_back(HttpReply{status, body}); }
    void unreachable() {
        replies.push_back(Error{EX_TEMPFAIL, "cannot reach https://t.example/token: refused"});
    }
    Result<HttpReply> post_form(const std::string& url, const Form& form) override {
        sent.push_back({url, form});
        REQUIRE_FALSE(replies.empty());  // the test scripted every request it expects
        auto r = replies.front();
        replies.pop_front();
        return r;
    }
};

inline std::string token_json(const std::string& access, int expires_in,
                              const std::string& refresh = "") {
    std::string out =
        "{\"access_token\": \"" + access +
        "\", \"token_type\": \"Bearer\", \"expires_in\": " + std::to_string(expires_in);
    if (!refresh.empty()) out += ", \"refresh_token\": \"" + refresh + "\"";
    return out + "}";
}

struct TempStateDir {
    std::string path;
    TempStateDir() {
        char tmpl[] = "/tmp/nullrelay-oauth2-XXXXXX";
        REQUIRE(::mkdtemp(tmpl) != nullptr);
        path = tmpl;
    }
    ~TempStateDir() { std::filesystem::remove_all(path); }
    std::string file(const std::string& name) const { return path + "/" + name; }
    void write(const std::string& name, const std::string& text, mode_t mode = 0600) const {
        std::ofstream(file(name), std::ios::binary) << text;
        ::chmod(file(name).c_str(), mode);
    }
    std::string read(const std::string& name) const {
        std::ifstream in(file(name), std::ios::binary);
        return std::string(std::istreambuf_iterator<char>(in), {});
    }
    mode_t mode(const std::string& name) const {
        struct stat st {};
        ::stat(file(name).c_str(), &st);
        return st.st_mode & 07777;
    }
};

inline Config oauth2_config(OAuth2Grant grant, const std::string& state_dir) {
    Config c;
    c.path = "t.conf";
    c.auth_user = "alerts@example.com";
    c.auth_mechanism = AuthMechanism::xoauth2;
    c.oauth2.grant = grant;
    c.oauth2.token_url = "https://login.example.com/token";
    c.oauth2.client_id = "client-1";
    c.oauth2.scope = "https://outlook.office365.com/.default";
    c.oauth2.state_dir = state_dir;
    return c;
}

}  // namespace nullrelay::test
