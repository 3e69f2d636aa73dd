// CLI11 parsing with the exit statuses our man pages promise: a bad command line is 64
// (EX_USAGE), not one of CLI11's own codes (106, 109...), which mean nothing to a script.
#pragma once

#include <sysexits.h>

#include <cstdio>
#include <optional>

#include <CLI/CLI.hpp>

namespace nullrelay {

// Parses argv into app. Returns nothing when the program should go on; else the status to
// exit with: 0 after --help or --version (printed on stdout), EX_USAGE after a usage error
// (said on stderr as "NAME: what is wrong").
inline std::optional<int> parse_command_line(CLI::App& app, const char* name, int argc,
                                             char** argv) {
    try {
        app.parse(argc, argv);
        return std::nullopt;
    } catch (const CLI::Success& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        std::fprintf(stderr, "%s: %s\nRun '%s --help' for the usage.\n", name, e.what(), name);
        return EX_USAGE;
    }
}

}  // namespace nullrelay
