// The words spoken on nullrelayd's control socket: one request per connection, then a stream
// of reply records ending with `done`. Text lines, so that a transcript reads like a log.
//
// Request (client to daemon), ended by an empty line:
//   nullrelay-control 1
//   action list|show|flush|hold|release|delete|requeue|pause|resume|stats
//   id <queue id>           (any number)
//   all
//   recipient <pattern>
//   sender <pattern>
//   wait
//   reason <text>           (pause: the admin's words)
//
// Reply records (daemon to client):
//   message <place> <0|1>   then the envelope in its queue-file form, through its `end` line
//                           (0|1: being delivered now); fields never hold CR or LF
//   paused <since> <reason> list: deliveries are paused (since: seconds since the epoch)
//   problem <code> <text>   a queue file that could not be read; the listing goes on
//   result <id> <code> <text>   what became of one message (code: sysexits)
//   waiting <id>            flush --wait: this message's result comes when its attempt ends
//   content                 the message content: a read-only fd passed with this line
//                           (SCM_RIGHTS)
//   stat <name> <value>     stats: one value (queue_stats.hpp); names are [a-z0-9_]
//   done <code> <text>      the end of the reply; a non-zero code refuses the whole request
//
// The daemon treats every request as hostile input (see control_server.hpp); the decoder of
// replies trusts the daemon no more than it must: a malformed record is an error.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "control/queue_commands.hpp"
#include "util/result.hpp"

namespace nullrelay {

inline constexpr std::string_view kControlSignature = "nullrelay-control 1";
inline constexpr size_t kMaxPatternLength = 1000;

// Refuses values that would break the line format (CR, LF, NUL) or are too long.
Result<std::string> encode_request(const Request& request);
// Parses a complete request, its empty last line included.
Result<Request> decode_request(std::string_view text);
// Where a request ends in a buffer (the position after its empty line), if it is complete.
std::optional<size_t> request_end(std::string_view buffer);

std::string encode_message(const ListedMessage& listed);
std::string encode_paused(const DeliveryPause& pause);
std::string encode_problem(const Error& error);
std::string encode_result(const Outcome& outcome);
std::string encode_waiting(const std::string& id);
std::string encode_stat(const std::string& name, const std::string& value);
inline constexpr std::string_view kContentRecord = "content\n";
std::string encode_done(int code, std::string_view text);

// Turns the daemon's reply back into ReplySink calls.
class ReplyDecoder {
  public:
    explicit ReplyDecoder(ReplySink& sink) : sink_(sink) {}
    // Consumes the complete lines in bytes (keeping a partial one for later). fds holds the
    // descriptors received so far; a `content` record takes the oldest.
    Status feed(std::string_view bytes, std::vector<UniqueFd>& fds);
    bool finished() const { return done_.has_value(); }
    // The `done` record: ok, or the daemon's refusal.
    Status outcome() const;

  private:
    Status line(std::string_view line, std::vector<UniqueFd>& fds);

    ReplySink& sink_;
    std::string partial_;
    std::optional<Place> message_place_;  // inside a message record
    bool message_active_ = false;
    bool message_in_maildrop_ = false;
    std::string envelope_;
    std::optional<Error> done_;
};

}  // namespace nullrelay
