// The engine variable as both engines see it. engine.h only forward-declares Var; each engine
// derives its own state from this base (NaiveEngine uses it as is).
#pragma once

#include "engine/engine.h"
#include "engine/error_log.h"

namespace mixnet::engine {

class Var {
 public:
  virtual ~Var() = default;
  // The failure this variable carries (set by the op that wrote it last). Only the op holding
  // write access changes it, so ops read it without locking; outside ops, read it under the
  // engine's own synchronisation (see each engine).
  ErrorRef error;
};

}  // namespace mixnet::engine
