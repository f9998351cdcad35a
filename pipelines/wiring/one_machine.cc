#include "pipelines/wiring/one_machine.h"

#include <cstdio>
#include <cstdlib>
#include <filesystem>

namespace zp::wiring {

config::Config defaults(const std::string& homeIn) {
  namespace fs = std::filesystem;
  const std::string home = fs::absolute(fs::path(homeIn)).lexically_normal().string();
  const std::string run = "ipc://" + home + "/run/";
  config::Config c;
  c.home = home;
  c.validatorEndpoints = {run + "validator-0.sock"};
  c.storeDir = home + "/store";
  c.storeCommands = run + "store-commands.sock";
  c.storeQuery = run + "store-query.sock";
  c.storeEvents = run + "store-events.sock";
  c.rendererStateDir = home + "/renderer";
  c.pushEndpoint = run + "push.sock";
  c.pushZoneDir = home + "/zones";
  c.pushStatus = run + "push-status.sock";
  c.rndcConfig = home + "/named/rndc.conf";
  return c;
}

Startup loadOrExit(int argc, char** argv) {
  Startup s;
  std::string configPath, home;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if ((a == "--config" || a == "--home") && i + 1 < argc) {
      (a == "--config" ? configPath : home) = argv[++i];
    } else {
      s.args.push_back(a);
    }
  }
  if (home.empty()) {
    const char* env = std::getenv("ZONEPIPE_HOME");
    home = env && *env ? env : "./var";
  }
  if (configPath.empty()) {
    const char* env = std::getenv("ZONEPIPE_CONFIG");
    if (env && *env) {
      configPath = env;
    } else if (std::filesystem::exists(home + "/zonepipe.conf")) {
      configPath = home + "/zonepipe.conf";
    }
  }
  s.config = defaults(home);
  if (!configPath.empty()) {
    auto loaded = config::loadFile(configPath, s.config);
    // A `home` line in the file moves every default below it: derive the
    // defaults again from that home, then apply the file's other keys over them.
    if (loaded && loaded->home != s.config.home) {
      loaded = config::loadFile(configPath, defaults(loaded->home));
    }
    if (!loaded) {
      std::fprintf(stderr, "zonepipe: bad configuration in %s: %s\n", configPath.c_str(),
                   loaded.error().detail.c_str());
      std::exit(100);
    }
    s.config = std::move(loaded).value();
  }
  return s;
}

}  // namespace zp::wiring
