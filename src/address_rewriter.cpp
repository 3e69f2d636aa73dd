#include "address_rewriter.hpp"

#include "address.hpp"

namespace nullrelay {

std::string AddressRewriter::recipient(std::string_view address) const {
    return qualify(address, domain_);
}

std::string AddressRewriter::sender(std::string_view address) const {
    return address.empty() ? std::string() : qualify(address, domain_);
}

}  // namespace nullrelay
