/* catalog.h - reference tables: NVIDIA's Xid catalog, PCIe AER status bits, NVML clocks-event
 * (throttle) reasons.
 *
 * Contract: everything here is read-only data compiled into the library. Every pointer a
 * function returns points into static storage that lives as long as the program; callers
 * never free or write it. Nothing allocates and nothing fails: a key the tables do not hold
 * gives NULL (pointers) or -1 (ints). The Xid table is one array sorted strictly ascending by
 * code; it mirrors NVIDIA's "Xid Catalog" (docs/xid-catalog.md names the version read, the
 * rule that derives category and severity, and where other tools disagree - NVIDIA wins).
 * Name lookups take a view (struct fl_str), ignore ASCII case and surrounding whitespace.
 */
#ifndef FAULTLINE_CATALOG_H
#define FAULTLINE_CATALOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "faultline/str.h"

/* ---- Xid categories: faultline's own grouping, derived from NVIDIA's columns ---- */

#define FL_XCAT_MAP(X)                                                                             \
    X(HARDWARE, "hardware")                                                                        \
    X(DRIVER, "driver")                                                                            \
    X(APPLICATION, "application")                                                                  \
    X(NVLINK, "nvlink")                                                                            \
    X(MEMORY, "memory")                                                                            \
    X(THERMAL, "thermal")                                                                          \
    X(POWER, "power")                                                                              \
    X(UNKNOWN, "unknown")

enum fl_xid_category {
#define FL_XCAT_ENUM_(e, n) FL_XCAT_##e,
    FL_XCAT_MAP(FL_XCAT_ENUM_)
#undef FL_XCAT_ENUM_
        FL_XCAT__COUNT
};

/* Lower-case name ("nvlink"); "unknown" for a value outside the enum. */
const char *fl_xid_category_name(enum fl_xid_category c);
int fl_xid_category_from_name(struct fl_str s); /* -1 when unknown */

/* ---- Immediate-action buckets: exactly the set NVIDIA's "Resolution Bucket (Immediate
 * Action)" column uses, plus NONE for the rows it leaves empty. The string is NVIDIA's. ---- */

#define FL_XACT_MAP(X)                                                                             \
    X(NONE, "NONE",                                                                                \
      "NVIDIA gives this Xid no bucket yet; act on its own text and the Xids around it.")          \
    X(RESTART_APP, "RESTART_APP",                                                                  \
      "Restart the application; a GPU reset or node reboot is not needed.")                        \
    X(RESET_GPU, "RESET_GPU", "Reset the GPU (or reboot the node) before it runs new work.")       \
    X(RESTART_BM, "RESTART_BM", "Reboot the bare-metal node.")                                     \
    X(RESTART_VM, "RESTART_VM",                                                                    \
      "Restart the VM that owns the GPU; a GPU reset or node reboot is not needed.")               \
    X(CONTACT_SUPPORT, "CONTACT_SUPPORT",                                                          \
      "Contact your support organization for further investigation.")                              \
    X(IGNORE, "IGNORE", "No action required.")                                                     \
    X(UPDATE_SWFW, "UPDATE_SWFW", "Update driver, software and firmware to the latest versions.")  \
    X(CHECK_MECHANICALS, "CHECK_MECHANICALS",                                                      \
      "Check that the board is seated and all its connections, power included, are secure.")       \
    X(CHECK_UVM, "CHECK_UVM", "Reset the GPU if UVM or vGPU is in use; otherwise ignore it.")      \
    X(WORKFLOW_XID_45, "WORKFLOW_XID_45",                                                          \
      "Alone, restart the Fabric Manager; with other Xids, follow their guidance instead.")        \
    X(WORKFLOW_XID_48, "WORKFLOW_XID_48",                                                          \
      "Alone, reset the GPU; with Xid 63/64, drain and reset; check SRAM error thresholds.")       \
    X(WORKFLOW_NVLINK_ERR, "WORKFLOW_NVLINK_ERR",                                                  \
      "Decode the NVLink error registers in the message; a GPU reset or reboot clears it.")        \
    X(WORKFLOW_NVLINK5_ERR, "WORKFLOW_NVLINK5_ERR",                                                \
      "Decode intrInfo and errorStatus with NVIDIA's Xid 144-150 table to get the action.")        \
    X(XID_154, "XID_154", "Follow the recovery action the accompanying Xid 154 reports.")

enum fl_xid_action {
#define FL_XACT_ENUM_(e, n, m) FL_XACT_##e,
    FL_XACT_MAP(FL_XACT_ENUM_)
#undef FL_XACT_ENUM_
        FL_XACT__COUNT
};

/* NVIDIA's bucket string ("RESET_GPU"); "UNKNOWN" for a value outside the enum. */
const char *fl_xid_action_name(enum fl_xid_action a);
/* One sentence telling an operator what the bucket asks for; "" outside the enum. */
const char *fl_xid_action_meaning(enum fl_xid_action a);
int fl_xid_action_from_name(struct fl_str s); /* -1 when unknown */

/* ---- The Xid catalog ---- */

struct fl_xid_info {
    uint16_t code;
    const char *mnemonic;      /* NVIDIA's, never NULL or empty */
    const char *description;   /* NVIDIA's, never NULL or empty; "Unused" for retired codes */
    uint8_t immediate;         /* enum fl_xid_action */
    const char *investigatory; /* NVIDIA's investigatory bucket or text; NULL when blank */
    uint8_t category;          /* enum fl_xid_category */
    uint8_t severity;          /* enum fl_severity order: 0 critical, 1 error, 2 warning, 3 info */
    bool app_fault;            /* NVIDIA's text attributes the typical cause to the application */
    bool in_use;               /* false for codes NVIDIA marks "Unused" (retired, pre-Ampere) */
};

/* Entry for code, or NULL when the catalog has no such code. */
const struct fl_xid_info *fl_xid_lookup(uint32_t code);
/* The whole table, ascending by code; *n receives its length (n may be NULL). */
const struct fl_xid_info *fl_xid_catalog(size_t *n);
/* The GPU-memory XIDs (48, 63, 64, 92, 94, 95, 140: ECC, row remapping, contained and
 * uncontained memory errors) that hbm_ecc judges with the GPU's ECC counters; xid_correlation
 * leaves them to it when no pod was disrupted. */
bool fl_xid_is_memory(uint32_t code);

/* ---- PCIe AER status bits, named as Linux drivers/pci/pcie/aer.c prints them ---- */

#define FL_AER_BITS 32u

/* Current kernel name of a bit of the Correctable (uncorrectable=false) or Uncorrectable
 * Error Status register ("RxErr", "CmpltTO"); NULL for a bit the kernel leaves unnamed. */
const char *fl_aer_bit_name(bool uncorrectable, unsigned bit);
/* The long name older kernels printed ("Receiver Error", "Completion Timeout"); NULL when
 * none existed for that bit. */
const char *fl_aer_bit_long_name(bool uncorrectable, unsigned bit);
/* Bit for a printed name in either spelling; a trailing "(First)" marker is ignored. Sets
 * *uncorrectable (may be NULL) to the register the name belongs to. -1 when unknown. */
int fl_aer_bit_from_name(struct fl_str name, bool *uncorrectable);

/* ---- NVML clocks-event (throttle) reasons: nvmlClocksEventReason* / nvmlClocksThrottleReason*
 * share values ---- */

#define FL_THROTTLE_GPU_IDLE 0x1ULL
#define FL_THROTTLE_APPLICATIONS_CLOCKS_SETTING 0x2ULL
#define FL_THROTTLE_SW_POWER_CAP 0x4ULL
#define FL_THROTTLE_HW_SLOWDOWN 0x8ULL
#define FL_THROTTLE_SYNC_BOOST 0x10ULL
#define FL_THROTTLE_SW_THERMAL_SLOWDOWN 0x20ULL
#define FL_THROTTLE_HW_THERMAL_SLOWDOWN 0x40ULL
#define FL_THROTTLE_HW_POWER_BRAKE_SLOWDOWN 0x80ULL
#define FL_THROTTLE_DISPLAY_CLOCK_SETTING 0x100ULL
#define FL_THROTTLE_BOARD_LIMIT 0x200ULL
#define FL_THROTTLE_RELIABILITY 0x400ULL
#define FL_THROTTLE_UNKNOWN 0x8000000000000000ULL /* old NVML only */

/* thermal and power may both hold (HwSlowdown: NVML cannot tell which); benign reasons are
 * neither and say nothing is wrong. A reason that is none of the three is "other". */
struct fl_throttle_reason {
    uint64_t bit;
    const char *name;    /* NVML suffix: "HwThermalSlowdown" */
    const char *meaning; /* one sentence */
    bool thermal;
    bool power;
    bool benign;
};

/* The table, ascending by bit; *n receives its length (n may be NULL). */
const struct fl_throttle_reason *fl_throttle_reasons(size_t *n);
/* Entry for exactly one bit; NULL for 0, several bits, or an unknown bit. */
const struct fl_throttle_reason *fl_throttle_lookup(uint64_t bit);
/* Accepts the suffix ("SwPowerCap") or the full NVML macro name with either prefix
 * (nvmlClocksEventReason / nvmlClocksThrottleReason); NULL when unknown. */
const struct fl_throttle_reason *fl_throttle_from_name(struct fl_str name);
/* Mask predicates: some set bit is thermal / power; every set bit is benign (true for 0,
 * false when an unknown bit is set). */
bool fl_throttle_mask_thermal(uint64_t mask);
bool fl_throttle_mask_power(uint64_t mask);
bool fl_throttle_mask_benign(uint64_t mask);

#endif
