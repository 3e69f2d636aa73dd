#!/usr/bin/env bash
# The setgid nullrelay-sendmail links neither libcurl nor OpenSSL (nor PCRE2: the maps are the
# daemon's and the admin program's; nor nlohmann-json: the OAuth2 client is the daemon's; nor
# libsystemd, which no program links), read
# from the binary the build made: its dynamic section (DT_NEEDED) and, for what a static
# library could have brought in, its symbols.
set -euo pipefail
bin=${NULLRELAY_BIN:?}/nullrelay-sendmail
[ -x "$bin" ] || { echo "no $bin" >&2; exit 1; }
needed=$(readelf -d "$bin" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
echo "nullrelay-sendmail needs: $(echo $needed)"
[ -n "$needed" ] || { echo "no NEEDED entries read (not a dynamic binary?)" >&2; exit 1; }
if echo "$needed" | grep -Ei 'curl|ssl|crypto|gnutls|nghttp|pcre|systemd'; then
    echo "nullrelay-sendmail must not link these" >&2
    exit 1
fi
if nm -D --undefined-only "$bin" 2>/dev/null | grep -E ' (curl_|SSL_|EVP_|pcre2_|sd_journal_)'; then
    echo "nullrelay-sendmail refers to libcurl, OpenSSL or PCRE2 symbols" >&2
    exit 1
fi
if nm "$bin" 2>/dev/null | grep -E ' [TtWw] (curl_|SSL_|EVP_|pcre2_|sd_journal_)'; then
    echo "nullrelay-sendmail carries libcurl, OpenSSL or PCRE2 code" >&2
    exit 1
fi
# nlohmann-json is header-only: what it would bring is its code, named in the symbols.
if nm -C "$bin" 2>/dev/null | grep -q 'nlohmann::'; then
    echo "nullrelay-sendmail carries nlohmann-json code (the OAuth2 replies are the daemon's)" >&2
    exit 1
fi
nm -C "${NULLRELAY_BIN}/nullrelayd" | grep 'nlohmann::' >/dev/null ||  # (not -q: pipefail)
    { echo "nullrelayd shows no nlohmann-json: the check reads the wrong thing" >&2; exit 1; }
# The check must be able to fail: the daemon does link libcurl.
readelf -d "${NULLRELAY_BIN}/nullrelayd" | grep -q 'libcurl' ||
    { echo "nullrelayd shows no libcurl: the check reads the wrong thing" >&2; exit 1; }
echo "ok: no libcurl, OpenSSL, PCRE2 or nlohmann-json in nullrelay-sendmail"
