// The simulation tests see every room of sim/ (namespaces mirror its folders: docs/ARCHITECTURE.md),
// as the code of one room sees its own names.
#pragma once

namespace citytwin::sim {
namespace app {}
namespace access {}
namespace attacks {}
namespace city {}
namespace core {}
namespace drivers {}
namespace engine {}
namespace events {}
namespace network {}
namespace platform {}
namespace record {}
namespace scenario {}
using namespace app;
using namespace access;
using namespace attacks;
using namespace city;
using namespace core;
using namespace drivers;
using namespace engine;
using namespace events;
using namespace network;
using namespace platform;
using namespace record;
using namespace scenario;
}  // namespace citytwin::sim
