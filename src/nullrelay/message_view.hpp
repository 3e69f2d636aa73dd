// `nullrelay show ID`: a message's envelope and state as a person reads them, then its
// header (and, when asked, its body) as queued, with CRLF shown as LF.
#pragma once

#include <cstdio>
#include <string>

#include "control/listed_message.hpp"
#include "util/result.hpp"

namespace nullrelay {

std::string format_envelope_view(const ListedMessage& listed);

// Copies the header section from content_fd to out (CRLF -> LF), then the body if asked.
Status write_content_view(int content_fd, bool with_body, std::FILE* out);

}  // namespace nullrelay
