// C calls Swift cannot make directly (variadic prctl). Filled by the control-runtime work.
#pragma once
