#!/usr/bin/env bash
# make install's payload works for a consumer: headers, static library and pkg-config file
# from `cmake --install` of this build let a C program run an analysis; the man page is there.
set -uo pipefail
bin=${1:?faultline binary}
root=${2:?source dir}
build=$(cd "$(dirname "$bin")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
ok() { pass=$((pass+1)); }
ko() { fail=$((fail+1)); echo "FAIL $*"; }

DESTDIR="$tmp/dest" cmake --install "$build" --prefix /opt/fl >/dev/null 2>&1 && ok || ko "cmake --install"
p="$tmp/dest/opt/fl"
pc=$(find "$p" -name faultline.pc | head -1)
[ -n "$pc" ] && ok || ko "faultline.pc not installed"
lib=$(find "$p" -name libfaultline.a | head -1)
[ -n "$lib" ] && ok || ko "libfaultline.a not installed"
for f in bin/faultline include/faultline/engine.h; do
  [ -e "$p/$f" ] && ok || ko "installed $f missing"
done
if command -v help2man >/dev/null; then
  [ -s "$p/share/man/man1/faultline.1" ] && ok || ko "man page missing"
fi
grep -q '^prefix=${pcfiledir}/' "$pc" && ok || ko "pkg-config prefix is not relocatable"

cat > "$tmp/use.c" <<'C'
#include <faultline/engine.h>
#include <stdio.h>
#include <string.h>
int main(void)
{
    const char *line = "{\"kind\":\"xid\",\"ts\":\"2026-11-24T10:00:00Z\",\"node\":\"n1\","
                       "\"gpu\":{\"pci\":\"0000:3b:00.0\"},\"xid\":{\"code\":79}}\n";
    struct fl_engine *e = fl_engine_new(NULL, NULL);
    if (!e || fl_engine_add_buffer(e, "x.jsonl", line, strlen(line), NULL) ||
        fl_engine_run(e, NULL))
        return 1;
    size_t n;
    const struct fl_verdict *v = fl_engine_verdicts(e, &n);
    printf("%zu %s\n", n, n ? v[0].pattern_id : "-");
    fl_engine_free(e);
    return 0;
}
C
extra="" cc=cc
# a sanitizer build of the library (make test's second pass, built by clang) needs the same
# compiler's runtime
nm "$lib" 2>/dev/null | grep __asan >/dev/null && { extra="-fsanitize=address,undefined"; cc=clang; }
flags=$(PKG_CONFIG_PATH="$(dirname "$pc")" pkg-config --cflags --libs --static faultline)
if $cc -std=c11 $extra "$tmp/use.c" $flags -o "$tmp/use" 2>"$tmp/cc.err"; then ok; else ko "compile against installed lib"; tail -5 "$tmp/cc.err"; fi
out=$("$tmp/use" 2>&1)
[ "$out" = "1 xid_correlation.gpu_error" ] && ok || ko "consumer program printed '$out'"
echo "install: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
