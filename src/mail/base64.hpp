// Base64 (RFC 4648 section 4, with padding), for RFC 2047 encoded words and MIME bodies.
#pragma once

#include <string>
#include <string_view>

namespace nullrelay {

std::string base64_encode(std::string_view bytes);

}  // namespace nullrelay
