// Turns the addresses a local program gave into the ones that go on the wire: bare local
// names are qualified with sender_domain (Postfix's append_at_myorigin). The alias map
// (issue: regex alias maps) plugs in here.
#pragma once

#include <string>

#include "config.hpp"

namespace nullrelay {

class AddressRewriter {
  public:
    explicit AddressRewriter(const Config& config) : domain_(config.qualify_domain()) {}

    std::string recipient(std::string_view address) const;
    std::string sender(std::string_view address) const;

  private:
    std::string domain_;
};

}  // namespace nullrelay
