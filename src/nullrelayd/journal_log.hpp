// nullrelayd's log lines with structured fields in the journal (issue 22): under systemd, a
// delivery line also carries QUEUE_ID=, RECIPIENT=, STATUS=, DSN= and RELAY=, so that
// `journalctl QUEUE_ID=...` finds a message's history. The line's text (MESSAGE=) is the one
// stderr would carry, so syslog forwarding shows it unchanged; it is sent through
// journald's native protocol (journal_socket.hpp) instead of stderr, not as well (one entry,
// not two), and goes to stderr should the journal refuse it.
#pragma once

#include <span>
#include <string_view>

#include "nullrelayd/journal_socket.hpp"
#include "util/log.hpp"

namespace nullrelay {

// A field for the journal: NAME in upper case, and its value.
using LogField = JournalField;

// Whether stderr is the journal's stream, as systemd tells its services: $JOURNAL_STREAM
// holds "device:inode" of that stream, which must be what fd 2 is (a service that redirects
// stderr elsewhere keeps the variable: then it is not the journal).
bool stderr_is_journal();

// From now on, when stderr is the journal, lines with fields go there through the native
// protocol. Call once at start, before any other thread logs.
void use_journal_fields();

// The line as log_line() writes it, with the fields where the journal takes them.
void log_with_fields(LogLevel level, std::string_view text, std::span<const LogField> fields);

}  // namespace nullrelay
