/* aer_bits.c - names of the PCIe AER Correctable and Uncorrectable Error Status bits.
 *
 * Short names are the ones Linux drivers/pci/pcie/aer.c prints today
 * (aer_correctable_error_string / aer_uncorrectable_error_string), including bits 27-31 of
 * the uncorrectable register that PCIe r6.0 defined and the kernel named in 2025. Long names
 * are what older kernels printed for the same bits, before the switch to short names; 8 keeps
 * the kernel's own "RELAY_NUM Rollover" spelling and also accepts "REPLAY_NUM Rollover".
 */
#include "faultline/catalog.h"

#include <string.h>

struct aer_name {
    const char *name;      /* current kernel */
    const char *long_name; /* older kernels; NULL when none */
    const char *alias;     /* another spelling seen in the wild; NULL when none */
};

static const struct aer_name correctable[FL_AER_BITS] = {
    [0] = {"RxErr", "Receiver Error", NULL},
    [6] = {"BadTLP", "Bad TLP", NULL},
    [7] = {"BadDLLP", "Bad DLLP", NULL},
    [8] = {"Rollover", "RELAY_NUM Rollover", "REPLAY_NUM Rollover"},
    [12] = {"Timeout", "Replay Timer Timeout", NULL},
    [13] = {"NonFatalErr", "Advisory Non-Fatal", NULL},
    [14] = {"CorrIntErr", "Corrected Internal Error", NULL},
    [15] = {"HeaderOF", "Header Log Overflow", NULL},
};

static const struct aer_name uncorrectable[FL_AER_BITS] = {
    [0] = {"Undefined", "Undefined", NULL},
    [4] = {"DLP", "Data Link Protocol", NULL},
    [5] = {"SDES", "Surprise Down Error", NULL},
    [12] = {"TLP", "Poisoned TLP", NULL},
    [13] = {"FCP", "Flow Control Protocol", NULL},
    [14] = {"CmpltTO", "Completion Timeout", NULL},
    [15] = {"CmpltAbrt", "Completer Abort", NULL},
    [16] = {"UnxCmplt", "Unexpected Completion", NULL},
    [17] = {"RxOF", "Receiver Overflow", NULL},
    [18] = {"MalfTLP", "Malformed TLP", NULL},
    [19] = {"ECRC", "ECRC", NULL},
    [20] = {"UnsupReq", "Unsupported Request", NULL},
    [21] = {"ACSViol", "ACS Violation", NULL},
    [22] = {"UncorrIntErr", "Uncorrectable Internal Error", NULL},
    [23] = {"BlockedTLP", "MC Blocked TLP", NULL},
    [24] = {"AtomicOpBlocked", "AtomicOp Egress Blocked", NULL},
    [25] = {"TLPBlockedErr", "TLP Prefix Blocked Error", NULL},
    [26] = {"PoisonTLPBlocked", NULL, NULL},
    [27] = {"DMWrReqBlocked", NULL, NULL},
    [28] = {"IDECheck", NULL, NULL},
    [29] = {"MisIDETLP", NULL, NULL},
    [30] = {"PCRC_CHECK", NULL, NULL},
    [31] = {"TLPXlatBlocked", NULL, NULL},
};

static const struct aer_name *entry(bool unc, unsigned bit)
{
    if (bit >= FL_AER_BITS)
        return NULL;
    return unc ? &uncorrectable[bit] : &correctable[bit];
}

const char *fl_aer_bit_name(bool unc, unsigned bit)
{
    const struct aer_name *e = entry(unc, bit);
    return e ? e->name : NULL;
}

const char *fl_aer_bit_long_name(bool unc, unsigned bit)
{
    const struct aer_name *e = entry(unc, bit);
    return e ? e->long_name : NULL;
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static struct fl_str trim(struct fl_str s)
{
    while (s.len && is_space(s.ptr[0])) {
        s.ptr++;
        s.len--;
    }
    while (s.len && is_space(s.ptr[s.len - 1]))
        s.len--;
    return s;
}

static char lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

static bool eq_nocase(struct fl_str s, const char *name)
{
    if (!name || s.len != strlen(name))
        return false;
    for (size_t i = 0; i < s.len; i++)
        if (lower(s.ptr[i]) != lower(name[i]))
            return false;
    return true;
}

/* Drop a trailing "(First)" the kernel appends to the first error it logs. */
static struct fl_str strip_first(struct fl_str s)
{
    static const char mark[] = "(First)";
    size_t m = sizeof mark - 1;
    if (s.len >= m && eq_nocase(fl_str_make(s.ptr + s.len - m, m), mark))
        s.len -= m;
    return trim(s);
}

static int find(const struct aer_name *tab, struct fl_str s)
{
    for (unsigned bit = 0; bit < FL_AER_BITS; bit++) {
        const struct aer_name *e = &tab[bit];
        if (!e->name)
            continue;
        if (eq_nocase(s, e->name) || eq_nocase(s, e->long_name) || eq_nocase(s, e->alias))
            return (int)bit;
    }
    return -1;
}

int fl_aer_bit_from_name(struct fl_str name, bool *unc)
{
    if (!name.ptr)
        return -1;
    struct fl_str s = strip_first(trim(name));
    if (s.len == 0)
        return -1;
    int bit = find(correctable, s);
    if (bit >= 0) {
        if (unc)
            *unc = false;
        return bit;
    }
    bit = find(uncorrectable, s);
    if (bit >= 0 && unc)
        *unc = true;
    return bit;
}
