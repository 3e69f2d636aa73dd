// RFC 2047 encoded-words: header text that holds 8-bit octets (or a word too long to fold)
// written as 7-bit words that decoders turn back into the same bytes.
#pragma once

#include <string>
#include <string_view>

namespace nullrelay {

// Encodes `text` as encoded-words of at most 75 characters each, joined by single spaces
// (decoders drop the white space between adjacent encoded-words, RFC 2047 §6.2). A UTF-8
// character is never cut in two when `charset` is "utf-8". Q unless it would be half as long
// again as B; Q leaves only letters, digits and !*+-/ literal, which are safe in every place an
// encoded-word may stand (unstructured text, a comment, a phrase: RFC 2047 §5).
// `first_limit` bounds the first word (the rest of a header line that starts with the field
// name): a line with encoded-words is at most 76 characters (RFC 2047 §2).
std::string encode_words(std::string_view text, std::string_view charset, size_t first_limit = 75);

// True when `word` has the form of an encoded-word ("=?charset?X?text?="): a decoder would
// decode it, so text next to it must not lose the white space between them.
bool looks_like_encoded_word(std::string_view word);

}  // namespace nullrelay
