/* xid_catalog.c - NVIDIA's Xid catalog as one static table, and its name functions.
 *
 * Source: NVIDIA, "Analyzing Xid Errors with the Xid Catalog",
 * https://docs.nvidia.com/deploy/xid-errors/analyzing-xid-catalog.html (spreadsheet
 * https://docs.nvidia.com/Xid-Catalog.xlsx), sheet "Xids", codes 1-172. docs/xid-catalog.md
 * records the version read and the derivation rule; in short:
 *
 *   mnemonic, description, immediate, investigatory: NVIDIA's columns as written (the
 *     investigatory column is NULL where NVIDIA leaves it blank).
 *   in_use: false where NVIDIA's description is "Unused", except 14 (ROBUST_CHANNEL_FAKE_ERROR),
 *     which NVIDIA keeps live on every product for injected errors.
 *   app_fault: NVIDIA's text blames the application - investigatory CHECK_APP/CUDA,
 *     WORKFLOW_XID_13, WORKFLOW_XID_31 or XID_137_FLOW, or trigger text naming a user
 *     application fault (43) - unless its own text names another cause (32: PCIe quality;
 *     37: "Driver firmware error").
 *   category, first match: APPLICATION (app_fault, or 45: the application torn down);
 *     NVLINK (NVLink, NVLink-C2C, link training, NVLink workflows); MEMORY (ECC, DRAM/SRAM,
 *     row remapping, containment, resource retirement, FB, L2); THERMAL (temperature);
 *     POWER (power, power smoothing); DRIVER (driver, firmware, GSP/PMU/SEC2/FECS
 *     microcontrollers, InfoROM, vGPU, key rotation, recovery-action notice, test and
 *     injected messages); HARDWARE (RESTART_BM or CHECK_MECHANICALS, text naming the bus or
 *     hardware: 18, 32, 79, 110, 167, or RESET_GPU with CONTACT_SUPPORT); DRIVER
 *     (investigatory INVESTIGATE_SW*); else UNKNOWN.
 *   severity: app_fault -> warning; RESET_GPU, RESTART_BM, WORKFLOW_XID_48 or
 *     WORKFLOW_NVLINK_ERR -> critical for HARDWARE/MEMORY/NVLINK, else error;
 *     WORKFLOW_NVLINK5_ERR, RESTART_VM, UPDATE_SWFW, CHECK_MECHANICALS, CONTACT_SUPPORT,
 *     RESTART_APP -> error; WORKFLOW_XID_45, CHECK_UVM, NONE -> warning; IGNORE,
 *     XID_154 -> info.
 */
#include "faultline/catalog.h"

#include <string.h>

#include "faultline/verdict.h"

#define LIVE 1u /* in_use */
#define APPF 2u /* app_fault */

#define ROW(c, act, cat, sev, flags, mn, desc, inv)                                                \
    {                                                                                              \
        .code = (c), .mnemonic = (mn), .description = (desc), .immediate = FL_XACT_##act,          \
        .investigatory = (inv), .category = FL_XCAT_##cat, .severity = FL_SEV_##sev,               \
        .app_fault = ((flags)&APPF) != 0, .in_use = ((flags)&LIVE) != 0,                           \
    }

/* One row per code: attributes on the first line, NVIDIA's text after. */
/* clang-format off */
static const struct fl_xid_info xid_table[] = {
    ROW(1, CONTACT_SUPPORT, UNKNOWN, ERROR, 0,
        "ROBUST_CHANNEL_FIFO_ERROR_FIFO_METHOD", "Unused", NULL),
    ROW(2, CONTACT_SUPPORT, UNKNOWN, ERROR, 0,
        "ROBUST_CHANNEL_FIFO_ERROR_SW_METHOD", "Unused", NULL),
    ROW(3, CONTACT_SUPPORT, UNKNOWN, ERROR, 0,
        "ROBUST_CHANNEL_FIFO_ERROR_UNK_METHOD", "Unused", NULL),
    ROW(4, CONTACT_SUPPORT, UNKNOWN, ERROR, 0,
        "ROBUST_CHANNEL_FIFO_ERROR_CHANNEL_BUSY", "Unused", NULL),
    ROW(5, CONTACT_SUPPORT, UNKNOWN, ERROR, 0,
        "ROBUST_CHANNEL_FIFO_ERROR_RUNOUT_OVERFLOW", "Unused", NULL),
    ROW(6, CONTACT_SUPPORT, UNKNOWN, ERROR, 0,
        "ROBUST_CHANNEL_FIFO_ERROR_PARSE_ERR", "Unused", NULL),
    ROW(7, CONTACT_SUPPORT, UNKNOWN, ERROR, 0,
        "ROBUST_CHANNEL_FIFO_ERROR_PTE_ERR", "Unused", NULL),
    ROW(8, RESTART_APP, UNKNOWN, ERROR, LIVE,
        "ROBUST_CHANNEL_FIFO_ERROR_IDLE_TIMEOUT", "GPU stopped processing", "CONTACT_SUPPORT"),
    ROW(9, CONTACT_SUPPORT, UNKNOWN, ERROR, 0,
        "ROBUST_CHANNEL_GR_ERROR_INSTANCE", "Unused", NULL),
    ROW(10, CONTACT_SUPPORT, UNKNOWN, ERROR, 0,
        "ROBUST_CHANNEL_GR_ERROR_SINGLE_STEP", "Unused", NULL),
    ROW(11, RESTART_APP, APPLICATION, WARNING, LIVE | APPF,
        "ROBUST_CHANNEL_GR_ERROR_MISSING_HW", "Invalid or corrupted push buffer stream",
        "CHECK_APP/CUDA"),
    ROW(12, CONTACT_SUPPORT, UNKNOWN, ERROR, 0,
        "ROBUST_CHANNEL_GR_ERROR_SW_METHOD", "Unused", NULL),
    ROW(13, RESTART_APP, APPLICATION, WARNING, LIVE | APPF,
        "ROBUST_CHANNEL_GR_EXCEPTION / ROBUST_CHANNEL_GR_ERROR_SW_NOTIFY",
        "Graphics Engine Exception",
        "WORKFLOW_XID_13"),
    ROW(14, IGNORE, DRIVER, INFO, LIVE,
        "ROBUST_CHANNEL_FAKE_ERROR", "Unused", "CONTACT_SUPPORT"),
    ROW(15, CONTACT_SUPPORT, UNKNOWN, ERROR, 0,
        "ROBUST_CHANNEL_SCANLINE_TIMEOUT", "Unused", NULL),
    ROW(16, CONTACT_SUPPORT, UNKNOWN, ERROR, 0,
        "ROBUST_CHANNEL_VBLANK_CALLBACK_TIMEOUT", "Unused", "CONTACT_SUPPORT"),
    ROW(17, CONTACT_SUPPORT, UNKNOWN, ERROR, 0,
        "ROBUST_CHANNEL_PARAMETER_ERROR", "Unused", NULL),
    ROW(18, CONTACT_SUPPORT, HARDWARE, ERROR, 0,
        "ROBUST_CHANNEL_BUS_MASTER_TIMEOUT_ERROR", "Unused", NULL),
    ROW(19, CONTACT_SUPPORT, UNKNOWN, ERROR, 0,
        "ROBUST_CHANNEL_DISP_MISSED_NOTIFIER", "Unused", NULL),
    ROW(20, CONTACT_SUPPORT, UNKNOWN, ERROR, 0,
        "ROBUST_CHANNEL_MPEG_ERROR_SW_METHOD", "Unused", NULL),
    ROW(21, CONTACT_SUPPORT, UNKNOWN, ERROR, 0,
        "ROBUST_CHANNEL_ME_ERROR_SW_METHOD", "Unused", NULL),
    ROW(22, CONTACT_SUPPORT, UNKNOWN, ERROR, 0,
        "ROBUST_CHANNEL_VP_ERROR_SW_METHOD", "Unused", NULL),
    ROW(23, CONTACT_SUPPORT, UNKNOWN, ERROR, 0,
        "ROBUST_CHANNEL_RC_LOGGING_ENABLED", "Unused", NULL),
    ROW(24, CONTACT_SUPPORT, UNKNOWN, ERROR, 0,
        "ROBUST_CHANNEL_GR_SEMAPHORE_TIMEOUT", "Unused", NULL),
    ROW(25, RESTART_APP, APPLICATION, WARNING, LIVE | APPF,
        "ROBUST_CHANNEL_GR_ILLEGAL_NOTIFY", "Invalid or illegal push buffer stream",
        "CHECK_APP/CUDA"),
    ROW(26, CONTACT_SUPPORT, UNKNOWN, ERROR, 0,
        "ROBUST_CHANNEL_FIFO_ERROR_FBISTATE_TIMEOUT", "Unused", NULL),
    ROW(27, CONTACT_SUPPORT, UNKNOWN, ERROR, 0,
        "ROBUST_CHANNEL_VP_ERROR", "Unused", NULL),
    ROW(28, CONTACT_SUPPORT, UNKNOWN, ERROR, 0,
        "ROBUST_CHANNEL_VP2_ERROR", "Unused", NULL),
    ROW(29, CONTACT_SUPPORT, UNKNOWN, ERROR, 0,
        "ROBUST_CHANNEL_BSP_ERROR", "Unused", NULL),
    ROW(30, CONTACT_SUPPORT, UNKNOWN, ERROR, 0,
        "ROBUST_CHANNEL_BAD_ADDR_ACCESS", "Unused", NULL),
    ROW(31, RESTART_APP, APPLICATION, WARNING, LIVE | APPF,
        "ROBUST_CHANNEL_FIFO_ERROR_MMU_ERR_FLT", "GPU memory page fault", "WORKFLOW_XID_31"),
    ROW(32, RESTART_APP, HARDWARE, ERROR, LIVE,
        "ROBUST_CHANNEL_PBDMA_ERROR", "Invalid or corrupted push buffer stream", "CHECK_APP/CUDA"),
    ROW(33, CONTACT_SUPPORT, UNKNOWN, ERROR, 0,
        "ROBUST_CHANNEL_SEC_ERROR", "Unused", NULL),
    ROW(34, CONTACT_SUPPORT, UNKNOWN, ERROR, 0,
        "ROBUST_CHANNEL_MSVLD_ERROR", "Unused", NULL),
    ROW(35, CONTACT_SUPPORT, UNKNOWN, ERROR, 0,
        "ROBUST_CHANNEL_MSPDEC_ERROR", "Unused", NULL),
    ROW(36, CONTACT_SUPPORT, UNKNOWN, ERROR, 0,
        "ROBUST_CHANNEL_MSPPP_ERROR", "Unused", NULL),
    ROW(37, IGNORE, DRIVER, INFO, LIVE,
        "ROBUST_CHANNEL_FECS_ERR_UNIMP_FIRMWARE_METHOD", "Driver firmware error", "CHECK_APP/CUDA"),
    ROW(38, IGNORE, DRIVER, INFO, LIVE,
        "ROBUST_CHANNEL_FECS_ERR_WATCHDOG_TIMEOUT", "Driver firmware error", "CONTACT_SUPPORT"),
    ROW(39, RESTART_APP, UNKNOWN, ERROR, LIVE,
        "ROBUST_CHANNEL_CE0_ERROR", "Copy Engine Exception", "CONTACT_SUPPORT"),
    ROW(40, RESTART_APP, UNKNOWN, ERROR, LIVE,
        "ROBUST_CHANNEL_CE1_ERROR", "Copy Engine Exception", "CONTACT_SUPPORT"),
    ROW(41, RESTART_APP, UNKNOWN, ERROR, LIVE,
        "ROBUST_CHANNEL_CE2_ERROR", "Copy Engine Exception", "CONTACT_SUPPORT"),
    ROW(42, CONTACT_SUPPORT, UNKNOWN, ERROR, 0,
        "ROBUST_CHANNEL_VIC_ERROR", "Unused", NULL),
    ROW(43, IGNORE, APPLICATION, WARNING, LIVE | APPF,
        "ROBUST_CHANNEL_RESETCHANNEL_VERIF_ERROR", "GPU stopped processing", "CONTACT_SUPPORT"),
    ROW(44, IGNORE, UNKNOWN, INFO, LIVE,
        "ROBUST_CHANNEL_GR_FAULT_DURING_CTXSW", "Graphics Engine fault during context switch",
        "CONTACT_SUPPORT"),
    ROW(45, WORKFLOW_XID_45, APPLICATION, WARNING, LIVE,
        "ROBUST_CHANNEL_PREEMPTIVE_REMOVAL",
        "Preemptive cleanup, due to previous errors -- Most likely to see when running "
        "multiple cuda applications and hitting a DBE",
        "Solo: RESTART_FM; Not Solo: IGNORE (follow other Xid)"),
    ROW(46, RESET_GPU, HARDWARE, CRITICAL, LIVE,
        "ROBUST_CHANNEL_GPU_TIMEOUT_ERROR", "GPU stopped processing", "CONTACT_SUPPORT"),
    ROW(47, CONTACT_SUPPORT, UNKNOWN, ERROR, 0,
        "ROBUST_CHANNEL_NVENC0_ERROR", "Unused", NULL),
    ROW(48, WORKFLOW_XID_48, MEMORY, CRITICAL, LIVE,
        "ROBUST_CHANNEL_GPU_ECC_DBE", "Double Bit ECC Error", "WORKFLOW_XID_48"),
    ROW(49, CONTACT_SUPPORT, UNKNOWN, ERROR, 0,
        "SILENT_RUNNING_CONSTANT_LEVEL_SET_BY_REGISTRY", "Unused", NULL),
    ROW(50, CONTACT_SUPPORT, UNKNOWN, ERROR, 0,
        "SILENT_RUNNING_LEVEL_TRANSITION_DUE_TO_RC_ERROR", "Unused", NULL),
    ROW(51, CONTACT_SUPPORT, UNKNOWN, ERROR, 0,
        "SILENT_RUNNING_STRESS_TEST_FAILURE", "Unused", NULL),
    ROW(52, CONTACT_SUPPORT, THERMAL, ERROR, 0,
        "SILENT_RUNNING_LEVEL_TRANS_DUE_TO_TEMP_RISE", "Unused", NULL),
    ROW(53, CONTACT_SUPPORT, THERMAL, ERROR, 0,
        "SILENT_RUNNING_TEMP_REDUCED_CLOCKING", "Unused", NULL),
    ROW(54, CHECK_MECHANICALS, POWER, ERROR, LIVE,
        "SILENT_RUNNING_PWR_REDUCED_CLOCKING", "Auxiliary power is not connected to the GPU board",
        "CONTACT_SUPPORT"),
    ROW(55, CONTACT_SUPPORT, THERMAL, ERROR, 0,
        "SILENT_RUNNING_TEMPERATURE_READ_ERROR", "Unused", NULL),
    ROW(56, CONTACT_SUPPORT, UNKNOWN, ERROR, 0,
        "DISPLAY_CHANNEL_EXCEPTION", "Unused", NULL),
    ROW(57, CONTACT_SUPPORT, MEMORY, ERROR, 0,
        "FB_LINK_TRAINING_FAILURE_ERROR", "Unused", NULL),
    ROW(58, CONTACT_SUPPORT, MEMORY, ERROR, 0,
        "FB_MEMORY_ERROR", "Unused", NULL),
    ROW(59, CONTACT_SUPPORT, DRIVER, ERROR, 0,
        "PMU_ERROR", "Unused", NULL),
    ROW(60, RESTART_APP, DRIVER, ERROR, LIVE,
        "ROBUST_CHANNEL_SEC2_ERROR", "Video processor exception", "INVESTIGATE_SW"),
    ROW(61, CONTACT_SUPPORT, DRIVER, ERROR, 0,
        "PMU_BREAKPOINT", "Unused", NULL),
    ROW(62, RESET_GPU, DRIVER, ERROR, LIVE,
        "PMU_HALT_ERROR", "Internal micro-controller halt (newer drivers)", "CONTACT_SUPPORT"),
    ROW(63, IGNORE, MEMORY, INFO, LIVE,
        "INFOROM_DRAM_RETIREMENT_EVENT", "GPU memory remapping event", "IGNORE"),
    ROW(64, RESET_GPU, MEMORY, CRITICAL, LIVE,
        "INFOROM_DRAM_RETIREMENT_FAILURE", "GPU memory remapping failure", "CONTACT_SUPPORT"),
    ROW(65, CONTACT_SUPPORT, UNKNOWN, ERROR, 0,
        "ROBUST_CHANNEL_NVENC1_ERROR", "Unused", NULL),
    ROW(66, IGNORE, DRIVER, INFO, LIVE,
        "ROBUST_CHANNEL_FECS_ERR_REG_ACCESS_VIOLATION", "Illegal access by driver",
        "INVESTIGATE_SW"),
    ROW(67, IGNORE, DRIVER, INFO, LIVE,
        "ROBUST_CHANNEL_FECS_ERR_VERIF_VIOLATION", "Illegal access by driver", "CONTACT_SUPPORT"),
    ROW(68, RESTART_APP, UNKNOWN, ERROR, LIVE,
        "ROBUST_CHANNEL_NVDEC0_ERROR", "NVDEC0 Exception", "CONTACT_SUPPORT"),
    ROW(69, RESTART_APP, APPLICATION, WARNING, LIVE | APPF,
        "ROBUST_CHANNEL_GR_CLASS_ERROR", "Graphics Engine class error", "CHECK_APP/CUDA"),
    ROW(70, RESTART_APP, UNKNOWN, ERROR, LIVE,
        "ROBUST_CHANNEL_CE3_ERROR", "CE3: Unknown Error", "CONTACT_SUPPORT"),
    ROW(71, RESTART_APP, UNKNOWN, ERROR, LIVE,
        "ROBUST_CHANNEL_CE4_ERROR", "CE4: Unknown Error", "CONTACT_SUPPORT"),
    ROW(72, RESTART_APP, UNKNOWN, ERROR, LIVE,
        "ROBUST_CHANNEL_CE5_ERROR", "CE5: Unknown Error", "CONTACT_SUPPORT"),
    ROW(73, CONTACT_SUPPORT, UNKNOWN, ERROR, 0,
        "ROBUST_CHANNEL_NVENC2_ERROR", "Unused", NULL),
    ROW(74, WORKFLOW_NVLINK_ERR, NVLINK, CRITICAL, LIVE,
        "NVLINK_ERROR", "NVLINK Error", "CONTACT_SUPPORT"),
    ROW(75, RESTART_APP, UNKNOWN, ERROR, LIVE,
        "ROBUST_CHANNEL_CE6_ERROR", "CE6: Unknown Error", "CONTACT_SUPPORT"),
    ROW(76, RESTART_APP, UNKNOWN, ERROR, LIVE,
        "ROBUST_CHANNEL_CE7_ERROR", "CE7: Unknown Error", "CONTACT_SUPPORT"),
    ROW(77, RESTART_APP, UNKNOWN, ERROR, LIVE,
        "ROBUST_CHANNEL_CE8_ERROR", "CE8: Unknown Error", "CONTACT_SUPPORT"),
    ROW(78, UPDATE_SWFW, DRIVER, ERROR, LIVE,
        "VGPU_START_ERROR", "vGPU Start Error", "UPDATE_SWFW"),
    ROW(79, RESTART_BM, HARDWARE, CRITICAL, LIVE,
        "ROBUST_CHANNEL_GPU_HAS_FALLEN_OFF_THE_BUS", "GPU has fallen off the bus",
        "CONTACT_SUPPORT"),
    ROW(80, RESTART_APP, APPLICATION, WARNING, LIVE | APPF,
        "PBDMA_PUSHBUFFER_CRC_MISMATCH", "Corrupted data sent to GPU", "CHECK_APP/CUDA"),
    ROW(81, CONTACT_SUPPORT, UNKNOWN, ERROR, 0,
        "ROBUST_CHANNEL_VGA_SUBSYSTEM_ERROR", "Unused", NULL),
    ROW(82, RESTART_APP, UNKNOWN, ERROR, LIVE,
        "ROBUST_CHANNEL_NVJPG0_ERROR", "NVJPG0 Error", "CONTACT_SUPPORT"),
    ROW(83, RESTART_APP, UNKNOWN, ERROR, LIVE,
        "ROBUST_CHANNEL_NVDEC1_ERROR", "NVDEC1 Error", "CONTACT_SUPPORT"),
    ROW(84, RESTART_APP, UNKNOWN, ERROR, LIVE,
        "ROBUST_CHANNEL_NVDEC2_ERROR", "NVDEC2 Error", "CONTACT_SUPPORT"),
    ROW(85, RESTART_APP, UNKNOWN, ERROR, LIVE,
        "ROBUST_CHANNEL_CE9_ERROR", "CE9: Unknown Error", "CONTACT_SUPPORT"),
    ROW(86, RESTART_APP, UNKNOWN, ERROR, LIVE,
        "ROBUST_CHANNEL_OFA0_ERROR", "OFA Exception", "CONTACT_SUPPORT"),
    ROW(87, CONTACT_SUPPORT, DRIVER, ERROR, 0,
        "NVTELEMETRY_DRIVER_REPORT", "Unused", NULL),
    ROW(88, RESTART_APP, UNKNOWN, ERROR, LIVE,
        "ROBUST_CHANNEL_NVDEC3_ERROR", "NVDEC3 Error", "CONTACT_SUPPORT"),
    ROW(89, RESTART_APP, UNKNOWN, ERROR, LIVE,
        "ROBUST_CHANNEL_NVDEC4_ERROR", "NVDEC4 Error", "CONTACT_SUPPORT"),
    ROW(90, CONTACT_SUPPORT, MEMORY, ERROR, 0,
        "LTC_ERROR", "Unused", NULL),
    ROW(91, CONTACT_SUPPORT, UNKNOWN, ERROR, 0,
        "RESERVED_XID", "Unused", NULL),
    ROW(92, IGNORE, MEMORY, INFO, LIVE,
        "EXCESSIVE_SBE_INTERRUPTS", "High single-bit ECC error rate", "CONTACT_SUPPORT"),
    ROW(93, IGNORE, DRIVER, INFO, LIVE,
        "INFOROM_ERASE_LIMIT_EXCEEDED", "Non-fatal violation of provisioned InfoROM wear limit",
        "CONTACT_SUPPORT"),
    ROW(94, RESTART_APP, MEMORY, ERROR, LIVE,
        "ROBUST_CHANNEL_CONTAINED_ERROR", "Contained memory error", "IGNORE (sympathetic)"),
    ROW(95, RESET_GPU, MEMORY, CRITICAL, LIVE,
        "ROBUST_CHANNEL_UNCONTAINED_ERROR", "Uncontained memory error", "IGNORE (sympathetic)"),
    ROW(96, RESTART_APP, UNKNOWN, ERROR, LIVE,
        "ROBUST_CHANNEL_NVDEC5_ERROR", "NVDEC5 Error", "CONTACT_SUPPORT"),
    ROW(97, RESTART_APP, UNKNOWN, ERROR, LIVE,
        "ROBUST_CHANNEL_NVDEC6_ERROR", "NVDEC6 Error", "CONTACT_SUPPORT"),
    ROW(98, RESTART_APP, UNKNOWN, ERROR, LIVE,
        "ROBUST_CHANNEL_NVDEC7_ERROR", "NVDEC7 Error", "CONTACT_SUPPORT"),
    ROW(99, RESTART_APP, UNKNOWN, ERROR, LIVE,
        "ROBUST_CHANNEL_NVJPG1_ERROR", "NVJPG1 Error", "CONTACT_SUPPORT"),
    ROW(100, RESTART_APP, UNKNOWN, ERROR, LIVE,
        "ROBUST_CHANNEL_NVJPG2_ERROR", "NVJPG2 Error", "CONTACT_SUPPORT"),
    ROW(101, RESTART_APP, UNKNOWN, ERROR, LIVE,
        "ROBUST_CHANNEL_NVJPG3_ERROR", "NVJPG3 Error", "CONTACT_SUPPORT"),
    ROW(102, RESTART_APP, UNKNOWN, ERROR, LIVE,
        "ROBUST_CHANNEL_NVJPG4_ERROR", "NVJPG4 Error", "CONTACT_SUPPORT"),
    ROW(103, RESTART_APP, UNKNOWN, ERROR, LIVE,
        "ROBUST_CHANNEL_NVJPG5_ERROR", "NVJPG5 Error", "CONTACT_SUPPORT"),
    ROW(104, RESTART_APP, UNKNOWN, ERROR, LIVE,
        "ROBUST_CHANNEL_NVJPG6_ERROR", "NVJPG6 Error", "CONTACT_SUPPORT"),
    ROW(105, RESTART_APP, UNKNOWN, ERROR, LIVE,
        "ROBUST_CHANNEL_NVJPG7_ERROR", "NVJPG7 Error", "CONTACT_SUPPORT"),
    ROW(106, IGNORE, DRIVER, INFO, LIVE,
        "SMBPBI_TEST_MESSAGE", "SMBPBI Test Message", "IGNORE"),
    ROW(107, IGNORE, DRIVER, INFO, LIVE,
        "SMBPBI_TEST_MESSAGE_SILENT", "SMBPBI Test Message Silent", "IGNORE"),
    ROW(108, IGNORE, APPLICATION, WARNING, APPF,
        "NVLINK_REMOTE_TRANSLATION_ERROR", "Unused", "XID_137_FLOW"),
    ROW(109, RESET_GPU, HARDWARE, CRITICAL, LIVE,
        "ROBUST_CHANNEL_CTXSW_TIMEOUT_ERROR", "Context Switch Timeout Error", "CONTACT_SUPPORT"),
    ROW(110, RESET_GPU, HARDWARE, CRITICAL, LIVE,
        "SEC_FAULT_ERROR", "Security Fault Error", "INVESTIGATE_SW"),
    ROW(111, CONTACT_SUPPORT, UNKNOWN, ERROR, 0,
        "BUNDLE_ERROR_EVENT", "Unused", NULL),
    ROW(112, CONTACT_SUPPORT, UNKNOWN, ERROR, 0,
        "DISP_SUPERVISOR_ERROR", "Unused", NULL),
    ROW(113, CONTACT_SUPPORT, UNKNOWN, ERROR, 0,
        "DP_LT_FAILURE", "Unused", NULL),
    ROW(114, CONTACT_SUPPORT, UNKNOWN, ERROR, 0,
        "HEAD_RG_UNDERFLOW", "Unused", NULL),
    ROW(115, CONTACT_SUPPORT, UNKNOWN, ERROR, 0,
        "CORE_CHANNEL_REGS", "Unused", NULL),
    ROW(116, CONTACT_SUPPORT, UNKNOWN, ERROR, 0,
        "WINDOW_CHANNEL_REGS", "Unused", NULL),
    ROW(117, CONTACT_SUPPORT, UNKNOWN, ERROR, 0,
        "CURSOR_CHANNEL_REGS", "Unused", NULL),
    ROW(118, CONTACT_SUPPORT, UNKNOWN, ERROR, 0,
        "HEAD_REGS", "Unused", NULL),
    ROW(119, RESET_GPU, DRIVER, ERROR, LIVE,
        "GSP_RPC_TIMEOUT", "GSP RPC Timeout", "INVESTIGATE_SW"),
    ROW(120, RESET_GPU, DRIVER, ERROR, LIVE,
        "GSP_ERROR", "GSP Error", "INVESTIGATE_SW"),
    ROW(121, IGNORE, NVLINK, INFO, LIVE,
        "C2C_ERROR", "C2C Error", "CONTACT_SUPPORT"),
    ROW(122, CONTACT_SUPPORT, DRIVER, ERROR, 0,
        "SPI_PMU_RPC_READ_FAIL", "Unused", NULL),
    ROW(123, CONTACT_SUPPORT, DRIVER, ERROR, 0,
        "SPI_PMU_RPC_WRITE_FAIL", "Unused", NULL),
    ROW(124, CONTACT_SUPPORT, DRIVER, ERROR, 0,
        "SPI_PMU_RPC_ERASE_FAIL", "Unused", NULL),
    ROW(125, CONTACT_SUPPORT, DRIVER, ERROR, 0,
        "INFOROM_FS_ERROR", "Unused", NULL),
    ROW(126, RESTART_APP, UNKNOWN, ERROR, LIVE,
        "ROBUST_CHANNEL_CE10_ERROR", "CE10: Unknown Error", "CONTACT_SUPPORT"),
    ROW(127, RESTART_APP, UNKNOWN, ERROR, LIVE,
        "ROBUST_CHANNEL_CE11_ERROR", "CE11: Unknown Error", "CONTACT_SUPPORT"),
    ROW(128, RESTART_APP, UNKNOWN, ERROR, LIVE,
        "ROBUST_CHANNEL_CE12_ERROR", "CE12: Unknown Error", "CONTACT_SUPPORT"),
    ROW(129, RESTART_APP, UNKNOWN, ERROR, LIVE,
        "ROBUST_CHANNEL_CE13_ERROR", "CE13: Unknown Error", "CONTACT_SUPPORT"),
    ROW(130, RESTART_APP, UNKNOWN, ERROR, LIVE,
        "ROBUST_CHANNEL_CE14_ERROR", "CE14: Unknown Error", "CONTACT_SUPPORT"),
    ROW(131, RESTART_APP, UNKNOWN, ERROR, LIVE,
        "ROBUST_CHANNEL_CE15_ERROR", "CE15: Unknown Error", "CONTACT_SUPPORT"),
    ROW(132, RESTART_APP, UNKNOWN, ERROR, LIVE,
        "ROBUST_CHANNEL_CE16_ERROR", "CE16: Unknown Error", "CONTACT_SUPPORT"),
    ROW(133, RESTART_APP, UNKNOWN, ERROR, LIVE,
        "ROBUST_CHANNEL_CE17_ERROR", "CE17: Unknown Error", "CONTACT_SUPPORT"),
    ROW(134, RESTART_APP, UNKNOWN, ERROR, LIVE,
        "ROBUST_CHANNEL_CE18_ERROR", "CE18: Unknown Error", "CONTACT_SUPPORT"),
    ROW(135, RESTART_APP, UNKNOWN, ERROR, LIVE,
        "ROBUST_CHANNEL_CE19_ERROR", "CE19: Unknown Error", "CONTACT_SUPPORT"),
    ROW(136, RESET_GPU, NVLINK, CRITICAL, LIVE,
        "ALI_TRAINING_FAIL", "Link Training Failed", "INVESTIGATE_LINK_SI"),
    ROW(137, IGNORE, APPLICATION, WARNING, LIVE | APPF,
        "NVLINK_PRIV_ERR", "NVLink Privilege Error", "XID_137_FLOW"),
    ROW(138, CONTACT_SUPPORT, UNKNOWN, ERROR, 0,
        "ROBUST_CHANNEL_DLA_ERROR", "Unused", NULL),
    ROW(139, RESTART_APP, UNKNOWN, ERROR, LIVE,
        "ROBUST_CHANNEL_OFA1_ERROR", "OFA1 Error", "CONTACT_SUPPORT"),
    ROW(140, RESET_GPU, MEMORY, CRITICAL, LIVE,
        "UNRECOVERABLE_ECC_ERROR_ESCAPE", "ECC Unrecovered Error", "CONTACT_SUPPORT"),
    ROW(141, IGNORE, UNKNOWN, INFO, LIVE,
        "ROBUST_CHANNEL_FAST_PATH_ERROR", "CUDA Fast Path Error", "CONTACT_SUPPORT"),
    ROW(142, CONTACT_SUPPORT, UNKNOWN, ERROR, LIVE,
        "ROBUST_CHANNEL_NVENC3_ERROR", "NVENC3 Error", NULL),
    ROW(143, RESET_GPU, HARDWARE, CRITICAL, LIVE,
        "GPU_INIT_ERROR", "GPU Initialization Error", "CONTACT_SUPPORT"),
    ROW(144, WORKFLOW_NVLINK5_ERR, NVLINK, ERROR, LIVE,
        "NVLINK_SAW_ERROR", "NVLINK: SAW Error", "WORKFLOW_NVLINK5_ERR"),
    ROW(145, WORKFLOW_NVLINK5_ERR, NVLINK, ERROR, LIVE,
        "NVLINK_RLW_ERROR", "NVLINK: RLW Error", "WORKFLOW_NVLINK5_ERR"),
    ROW(146, WORKFLOW_NVLINK5_ERR, NVLINK, ERROR, LIVE,
        "NVLINK_TLW_ERROR", "NVLINK: TLW Error", "WORKFLOW_NVLINK5_ERR"),
    ROW(147, WORKFLOW_NVLINK5_ERR, NVLINK, ERROR, LIVE,
        "NVLINK_TREX_ERROR", "NVLINK: TREX Error", "WORKFLOW_NVLINK5_ERR"),
    ROW(148, WORKFLOW_NVLINK5_ERR, NVLINK, ERROR, LIVE,
        "NVLINK_NVLPW_CTRL_ERROR", "NVLINK: NVLPW_CTRL Error", "WORKFLOW_NVLINK5_ERR"),
    ROW(149, WORKFLOW_NVLINK5_ERR, NVLINK, ERROR, LIVE,
        "NVLINK_NETIR_ERROR", "NVLINK: NETIR Error", "WORKFLOW_NVLINK5_ERR"),
    ROW(150, WORKFLOW_NVLINK5_ERR, NVLINK, ERROR, LIVE,
        "NVLINK_MSE_ERROR", "NVLINK: MSE Error", "WORKFLOW_NVLINK5_ERR"),
    ROW(151, RESTART_VM, DRIVER, ERROR, LIVE,
        "ROBUST_CHANNEL_KEY_ROTATION_ERROR", "Key rotation Error", "CONTACT_SUPPORT"),
    ROW(152, IGNORE, UNKNOWN, INFO, LIVE,
        "ROBUST_CHANNEL_DLA_SMMU_ERROR", "DLA SMMU Error", "CONTACT_SUPPORT"),
    ROW(153, IGNORE, UNKNOWN, INFO, LIVE,
        "ROBUST_CHANNEL_DLA_TIMEOUT", "DLA timeout Error", "CONTACT_SUPPORT"),
    ROW(154, XID_154, DRIVER, INFO, LIVE,
        "GPU_RECOVERY_ACTION_CHANGED", "GPU Recovery Action Changed",
        "N/A Informational only regarding another Xid"),
    ROW(155, RESET_GPU, NVLINK, CRITICAL, LIVE,
        "NVLINK_SW_DEFINED_ERROR", "NVLINK: SW Defined Error", "INVESTIGATE_SW_USER"),
    ROW(156, RESET_GPU, MEMORY, CRITICAL, LIVE,
        "RESOURCE_RETIREMENT_EVENT", "Resource Retirement Event", "IGNORE"),
    ROW(157, IGNORE, MEMORY, INFO, LIVE,
        "RESOURCE_RETIREMENT_FAILURE", "Resource Retirement Failure", "CONTACT_SUPPORT"),
    ROW(158, RESET_GPU, HARDWARE, CRITICAL, LIVE,
        "GPU_FATAL_TIMEOUT", "GPU Fatal Timeout", "CONTACT_SUPPORT"),
    ROW(159, CHECK_UVM, NVLINK, WARNING, LIVE,
        "ROBUST_CHANNEL_CHI_NON_DATA_ERROR", "CHI Non-Data Error", "SYMPATHETIC_REPORT_SOLO"),
    ROW(160, IGNORE, DRIVER, INFO, LIVE,
        "CHANNEL_RETIREMENT_EVENT", "Channel Retirement Event", "INVESTIGATE_SW"),
    ROW(161, IGNORE, DRIVER, INFO, LIVE,
        "CHANNEL_RETIREMENT_FAILURE", "Channel Retirement Failure", "INVESTIGATE_SW"),
    ROW(162, NONE, POWER, WARNING, LIVE,
        "PSHC_REENGAGED", "Power Smoothing HW Circuitry capability reengaged", NULL),
    ROW(163, NONE, POWER, WARNING, LIVE,
        "PSHC_DISENGAGED", "Power Smoothing HW Circuitry capability disengaged", NULL),
    ROW(164, NONE, POWER, WARNING, LIVE,
        "PSHC_LOW_LIFETIME", "Power Smoothing HW Circuitry low lifetime reached", NULL),
    ROW(165, NONE, POWER, WARNING, LIVE,
        "PSHC_ZERO_LIFETIME", "Power Smoothing HW Circuitry lifetime exhausted", NULL),
    ROW(166, NONE, NVLINK, WARNING, LIVE,
        "NVLINK_SECURE_CRYPTO_ERR",
        "CC traffic seen prior to link properly being configured for encrypted traffic",
        NULL),
    ROW(167, NONE, HARDWARE, WARNING, LIVE,
        "PCIE_FATAL_TIMEOUT", "PCIE_FATAL_TIMEOUT", NULL),
    ROW(168, NONE, MEMORY, WARNING, LIVE,
        "REDUCED_GPU_MEMORY_CAPACITY", "Errors found in WPR (write protected region)", NULL),
    ROW(169, NONE, DRIVER, WARNING, LIVE,
        "SEC2_HALT_ERROR", "Internal micro-controller halt", NULL),
    ROW(170, NONE, NVLINK, WARNING, LIVE,
        "NVLINK_SECURE_OTHER", "Interrupt seen in CC mode", NULL),
    ROW(171, NONE, MEMORY, WARNING, LIVE,
        "UNCORRECTABLE_DRAM_ERROR",
        "Additional to Xid 48 providing more details on particulars of fault to "
        "differentiate DRAM/SRAM",
        NULL),
    ROW(172, NONE, MEMORY, WARNING, LIVE,
        "UNCORRECTABLE_SRAM_ERROR",
        "Additional to Xid 48 providing more details on particulars of fault to "
        "differentiate DRAM/SRAM",
        NULL),
};
/* clang-format on */

#undef ROW
#undef LIVE
#undef APPF

#define NXID (sizeof xid_table / sizeof xid_table[0])

const struct fl_xid_info *fl_xid_catalog(size_t *n)
{
    if (n)
        *n = NXID;
    return xid_table;
}

const struct fl_xid_info *fl_xid_lookup(uint32_t code)
{
    size_t lo = 0, hi = NXID;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (xid_table[mid].code == code)
            return &xid_table[mid];
        if (xid_table[mid].code < code)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

/* ---- names ---- */

static const char *const category_names[] = {
#define FL_XCAT_NAME_(e, n) n,
    FL_XCAT_MAP(FL_XCAT_NAME_)
#undef FL_XCAT_NAME_
};

static const char *const action_names[] = {
#define FL_XACT_NAME_(e, n, m) n,
    FL_XACT_MAP(FL_XACT_NAME_)
#undef FL_XACT_NAME_
};

static const char *const action_meanings[] = {
#define FL_XACT_MEANING_(e, n, m) m,
    FL_XACT_MAP(FL_XACT_MEANING_)
#undef FL_XACT_MEANING_
};

_Static_assert(sizeof category_names / sizeof category_names[0] == FL_XCAT__COUNT,
               "one name per category");
_Static_assert(sizeof action_names / sizeof action_names[0] == FL_XACT__COUNT,
               "one name per action");

/* ASCII case-insensitive equality of a trimmed view and a C string. */
static bool name_eq(struct fl_str s, const char *name)
{
    while (s.len && (s.ptr[0] == ' ' || s.ptr[0] == '\t')) {
        s.ptr++;
        s.len--;
    }
    while (s.len && (s.ptr[s.len - 1] == ' ' || s.ptr[s.len - 1] == '\t' ||
                     s.ptr[s.len - 1] == '\r' || s.ptr[s.len - 1] == '\n'))
        s.len--;
    size_t n = strlen(name);
    if (s.len != n)
        return false;
    for (size_t i = 0; i < n; i++) {
        unsigned char a = (unsigned char)s.ptr[i], b = (unsigned char)name[i];
        if (a >= 'A' && a <= 'Z')
            a = (unsigned char)(a - 'A' + 'a');
        if (b >= 'A' && b <= 'Z')
            b = (unsigned char)(b - 'A' + 'a');
        if (a != b)
            return false;
    }
    return true;
}

static int index_of(struct fl_str s, const char *const *names, size_t count)
{
    if (!s.ptr)
        return -1;
    for (size_t i = 0; i < count; i++)
        if (name_eq(s, names[i]))
            return (int)i;
    return -1;
}

const char *fl_xid_category_name(enum fl_xid_category c)
{
    if ((unsigned)c >= FL_XCAT__COUNT)
        return "unknown";
    return category_names[c];
}

int fl_xid_category_from_name(struct fl_str s)
{
    return index_of(s, category_names, FL_XCAT__COUNT);
}

const char *fl_xid_action_name(enum fl_xid_action a)
{
    if ((unsigned)a >= FL_XACT__COUNT)
        return "UNKNOWN";
    return action_names[a];
}

const char *fl_xid_action_meaning(enum fl_xid_action a)
{
    if ((unsigned)a >= FL_XACT__COUNT)
        return "";
    return action_meanings[a];
}

int fl_xid_action_from_name(struct fl_str s)
{
    return index_of(s, action_names, FL_XACT__COUNT);
}

bool fl_xid_is_memory(uint32_t code)
{
    switch (code) {
    case 48:
    case 63:
    case 64:
    case 92:
    case 94:
    case 95:
    case 140:
        return true;
    default:
        return false;
    }
}
