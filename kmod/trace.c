// SPDX-License-Identifier: GPL-2.0
/* The one place that creates mmapdemo's tracepoints (see trace.h). */
#include <linux/mmapdemo.h>

#define CREATE_TRACE_POINTS
#include "trace.h"
