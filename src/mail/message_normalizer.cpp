#include "mail/message_normalizer.hpp"

#include <algorithm>
#include <cstring>

namespace nullrelay {

static constexpr std::string_view kMboxFrom = "From ";

void MessageNormalizer::flush_head(std::string& out) {
    out += head_;
    line_length_ += head_.size();
    if (!head_.empty()) line_open_ = true;
    head_.clear();
    in_head_ = false;
}

void MessageNormalizer::end_line(std::string& out) {
    if (in_head_ && options_.dot_line_ends_message && head_ == ".") {
        head_.clear();
        ended_ = true;
        return;
    }
    flush_head(out);
    if (dropping_line_) {
        dropping_line_ = false;
    } else {
        out += "\r\n";
        longest_line_ = std::max(longest_line_, line_length_);
    }
    first_line_ = false;
    in_head_ = true;
    line_open_ = false;
    line_length_ = 0;
}

void MessageNormalizer::feed(std::string_view in, std::string& out) {
    size_t i = 0;
    while (i < in.size() && !ended_) {
        char c = in[i];
        if (pending_cr_ && c != '\r') {
            pending_cr_ = false;
            end_line(out);
            if (c == '\n') {
                ++i;
                continue;
            }
            if (ended_) break;
        }
        if (c == '\r') {
            pending_cr_ = true;
            ++i;
            continue;
        }
        if (c == '\n') {
            end_line(out);
            ++i;
            continue;
        }
        if (dropping_line_) {
            ++i;
            continue;
        }
        if (in_head_) {
            head_ += c;
            ++i;
            bool may_be_dot = options_.dot_line_ends_message && head_ == ".";
            bool may_be_from = options_.drop_mbox_from_line && first_line_ &&
                               kMboxFrom.substr(0, head_.size()) == head_;
            if (may_be_from && head_.size() == kMboxFrom.size()) {
                head_.clear();
                dropping_line_ = true;
                in_head_ = false;
            } else if (!may_be_dot && !may_be_from) {
                flush_head(out);
            }
            continue;
        }
        // Copy the rest of the line in one go: this is the hot path for large messages.
        size_t end = i;
        while (end < in.size() && in[end] != '\r' && in[end] != '\n')
            ++end;
        out.append(in.data() + i, end - i);
        line_length_ += end - i;
        line_open_ = true;
        i = end;
    }
}

void MessageNormalizer::finish(std::string& out) {
    if (ended_) return;
    if (pending_cr_) {
        pending_cr_ = false;
        end_line(out);
        return;
    }
    if (in_head_ && options_.dot_line_ends_message && head_ == ".") {
        head_.clear();
        ended_ = true;
        return;
    }
    if (dropping_line_) {
        dropping_line_ = false;
        return;
    }
    if (!head_.empty() || line_open_) end_line(out);
}

}  // namespace nullrelay
