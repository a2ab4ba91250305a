/* SwiftPM builds a C target from sources; the module is the header, which this file checks compiles. */
#include "photos_bridge.h"
