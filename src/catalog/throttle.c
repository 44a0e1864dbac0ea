/* throttle.c - NVML clocks-event (formerly "clocks throttle") reasons.
 *
 * Values are NVML's nvmlClocksEventReason* / nvmlClocksThrottleReason* macros (the older
 * prefix is deprecated; the values are the same). BoardLimit and Reliability appear only in
 * recent NVML; Unknown (bit 63) only in old NVML, before the thermal and power-brake reasons
 * existed. HwSlowdown is both thermal and power: NVML documents it for high temperature, an
 * external power brake, or power draw tripping fast-trigger protection, and cannot say which.
 */
#include "faultline/catalog.h"

#include <string.h>

static const struct fl_throttle_reason reasons[] = {
    {FL_THROTTLE_GPU_IDLE, "GpuIdle", "Nothing runs on the GPU and its clocks drop to idle.", false,
     false, true},
    {FL_THROTTLE_APPLICATIONS_CLOCKS_SETTING, "ApplicationsClocksSetting",
     "Clocks are held at the application clocks someone set.", false, false, true},
    {FL_THROTTLE_SW_POWER_CAP, "SwPowerCap",
     "Software lowers clocks to stay under the configured power limit.", false, true, false},
    {FL_THROTTLE_HW_SLOWDOWN, "HwSlowdown",
     "Hardware cut clocks by half or more: overheating, power brake or power-draw protection.",
     true, true, false},
    {FL_THROTTLE_SYNC_BOOST, "SyncBoost",
     "The GPU is held to the clocks of its sync-boost group; look at the other GPUs.", false, false,
     true},
    {FL_THROTTLE_SW_THERMAL_SLOWDOWN, "SwThermalSlowdown",
     "Software lowers clocks to keep GPU or memory temperature under its limit.", true, false,
     false},
    {FL_THROTTLE_HW_THERMAL_SLOWDOWN, "HwThermalSlowdown",
     "Hardware cut clocks by half or more because the GPU ran too hot.", true, false, false},
    {FL_THROTTLE_HW_POWER_BRAKE_SLOWDOWN, "HwPowerBrakeSlowdown",
     "Hardware cut clocks by half or more because the system asserted the power brake.", false,
     true, false},
    {FL_THROTTLE_DISPLAY_CLOCK_SETTING, "DisplayClockSetting",
     "Clocks are limited by the display clock setting.", false, false, true},
    {FL_THROTTLE_BOARD_LIMIT, "BoardLimit", "A board limit holds the clocks down.", false, false,
     false},
    {FL_THROTTLE_RELIABILITY, "Reliability", "A reliability limit holds the clocks down.", false,
     false, false},
    {FL_THROTTLE_UNKNOWN, "Unknown", "Some unspecified factor lowers the clocks (old NVML).", false,
     false, false},
};

#define NREASONS (sizeof reasons / sizeof reasons[0])

const struct fl_throttle_reason *fl_throttle_reasons(size_t *n)
{
    if (n)
        *n = NREASONS;
    return reasons;
}

const struct fl_throttle_reason *fl_throttle_lookup(uint64_t bit)
{
    for (size_t i = 0; i < NREASONS; i++)
        if (reasons[i].bit == bit)
            return &reasons[i];
    return NULL;
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static char lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

static bool eq_nocase(struct fl_str s, const char *name)
{
    if (s.len != strlen(name))
        return false;
    for (size_t i = 0; i < s.len; i++)
        if (lower(s.ptr[i]) != lower(name[i]))
            return false;
    return true;
}

/* Remove prefix (any case) when s starts with it. */
static struct fl_str drop_prefix(struct fl_str s, const char *prefix)
{
    size_t n = strlen(prefix);
    if (s.len > n && eq_nocase(fl_str_make(s.ptr, n), prefix))
        return fl_str_make(s.ptr + n, s.len - n);
    return s;
}

const struct fl_throttle_reason *fl_throttle_from_name(struct fl_str name)
{
    if (!name.ptr)
        return NULL;
    struct fl_str s = name;
    while (s.len && is_space(s.ptr[0])) {
        s.ptr++;
        s.len--;
    }
    while (s.len && is_space(s.ptr[s.len - 1]))
        s.len--;
    s = drop_prefix(s, "nvmlClocksEventReason");
    s = drop_prefix(s, "nvmlClocksThrottleReason");
    if (eq_nocase(s, "UserDefinedClocks")) /* NVML's alias for the same bit */
        return fl_throttle_lookup(FL_THROTTLE_APPLICATIONS_CLOCKS_SETTING);
    for (size_t i = 0; i < NREASONS; i++)
        if (eq_nocase(s, reasons[i].name))
            return &reasons[i];
    return NULL;
}

bool fl_throttle_mask_thermal(uint64_t mask)
{
    for (size_t i = 0; i < NREASONS; i++)
        if ((mask & reasons[i].bit) && reasons[i].thermal)
            return true;
    return false;
}

bool fl_throttle_mask_power(uint64_t mask)
{
    for (size_t i = 0; i < NREASONS; i++)
        if ((mask & reasons[i].bit) && reasons[i].power)
            return true;
    return false;
}

bool fl_throttle_mask_benign(uint64_t mask)
{
    for (size_t i = 0; i < NREASONS; i++)
        if (reasons[i].benign)
            mask &= ~reasons[i].bit;
    return mask == 0;
}
