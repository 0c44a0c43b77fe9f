// The shim is header-only; SwiftPM needs one source file in a C target.
#include "cbpf.h"
