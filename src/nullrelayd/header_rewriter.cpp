#include "nullrelayd/header_rewriter.hpp"

#include <algorithm>
#include <unordered_set>

#include "mail/address.hpp"
#include "mail/mailbox.hpp"
#include "util/text.hpp"

namespace nullrelay {

namespace {

constexpr size_t kFoldColumn = 78;

enum class Role { recipient, sender, reply, none };

Role role_of(std::string_view name) {
    for (const char* n : {"To", "Cc", "Resent-To", "Resent-Cc"})
        if (iequals(name, n)) return Role::recipient;
    for (const char* n : {"From", "Sender", "Resent-From", "Resent-Sender"})
        if (iequals(name, n)) return Role::sender;
    // Answers go where Reply-To says: it is qualified, never forced through sender_map.
    for (const char* n : {"Reply-To", "Resent-Reply-To"})
        if (iequals(name, n)) return Role::reply;
    return Role::none;
}

std::vector<std::string> rewrite_address(const std::string& address, Role role,
                                         const AddressRewriter& rw, RewriteBudget* budget) {
    // What is not a usable address (a bare phrase, a stray word) is left alone.
    if (!is_valid_envelope_address(address)) return {address};
    switch (role) {
        case Role::recipient:
            return rw.is_local(address) ? rw.recipient(address, nullptr, budget).addresses
                                        : std::vector<std::string>{address};
        case Role::sender:
            return rw.sender(address, nullptr, budget).addresses;
        default:
            return {rw.qualified(address)};
    }
}

// The mailboxes of one field after rewriting; empty when nothing changed.
std::vector<std::string> rewrite_field(const HeaderField& field, Role role,
                                       const AddressRewriter& rw, RewriteBudget* budget) {
    std::vector<std::string> items;
    std::unordered_set<std::string> seen;  // lowercased; a linear search was quadratic
    bool changed = false;
    // Postfix's limits (header_size_limit, header_address_token_limit): a field beyond them
    // goes out as it came. The envelope is rewritten all the same.
    if (field.raw.size() > kHeaderRewriteSizeLimit) return {};
    std::vector<Mailbox> boxes = parse_address_list(field.value());
    if (boxes.size() > kHeaderRewriteAddressLimit) return {};
    for (const Mailbox& box : boxes) {
        std::vector<std::string> now = rewrite_address(box.address, role, rw, budget);
        changed = changed || now.size() != 1 || now.front() != box.address;
        for (size_t i = 0; i < now.size(); ++i) {
            if (!seen.insert(to_lower(now[i])).second) {
                changed = true;  // root and www-data that both became the admin: listed once
                continue;
            }
            items.push_back(format_mailbox(i == 0 ? box.display_name : "", now[i]));
        }
    }
    if (!changed) items.clear();
    return items;
}

}  // namespace

std::string fold_address_list(std::string_view name, const std::vector<std::string>& items) {
    std::string out;
    size_t column = name.size() + 2;  // "Name: "
    for (size_t i = 0; i < items.size(); ++i) {
        const std::string& item = items[i];
        const bool last = i + 1 == items.size();
        if (i > 0) {
            if (column + 1 + item.size() + (last ? 0 : 1) > kFoldColumn) {
                out += "\r\n ";
                column = 1;
            } else {
                out += ' ';
                ++column;
            }
        }
        out += item;
        column += item.size();
        if (!last) {
            out += ',';
            ++column;
        }
    }
    return out;
}

void rewrite_address_headers(HeaderBlock& headers, const AddressRewriter& rw,
                             RewriteBudget* budget) {
    for (size_t i = 0; i < headers.fields().size(); ++i) {
        const HeaderField& f = headers.fields()[i];
        const Role role = role_of(f.name);
        if (role == Role::none) continue;
        std::vector<std::string> items = rewrite_field(f, role, rw, budget);
        if (!items.empty()) headers.replace_value(i, fold_address_list(f.name, items));
    }
}

}  // namespace nullrelay
