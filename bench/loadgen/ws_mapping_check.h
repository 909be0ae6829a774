// Before a websocket run: does every connection's first request have a websocket action?
// Asked of a throwaway instance of the scenario (its flows have state, and budgets such as
// --stop-after must not be spent by the check), so an unmappable scenario stops at start
// with a clear reason instead of after its setup. A later request without an action still
// stops the run (Connection::Listener::onFatal).
#pragma once

#include <string>

#include "loadgen/options.h"

namespace zqbench {

bool checkWsMapping(const Options& options, const std::string& project, std::string* error);

}  // namespace zqbench
