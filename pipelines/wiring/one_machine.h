#pragma once
// The wiring of the default one-machine pipeline: which endpoint each stage
// binds and which it connects to, all below ZONEPIPE_HOME, over ipc://.
// Every program loads its Config here; a config file may move any endpoint
// to tcp:// (another host) without code changes.
//
//   api --DEALER--> validator.endpoints[i] (ROUTER) --DEALER--> store.commands (ROUTER)
//   api/renderer/cli --DEALER--> store.query (ROUTER)
//   store.events (PUB) --> renderer (SUB) --DEALER--> push.endpoint (ROUTER) --rndc--> named

#include <string>
#include <vector>

#include "common/config/config.h"

namespace zp::wiring {

// Defaults for a home directory (made absolute).
config::Config defaults(const std::string& home);

// What a program was started with, after the common options.
struct Startup {
  config::Config config;
  std::vector<std::string> args;  // arguments left for the program itself
};

// Reads `--config FILE` and `--home DIR` (else $ZONEPIPE_CONFIG, else
// $ZONEPIPE_HOME/zonepipe.conf when it exists, else the defaults of
// $ZONEPIPE_HOME or ./var). On a bad config prints why to stderr and exits 100.
Startup loadOrExit(int argc, char** argv);

}  // namespace zp::wiring
