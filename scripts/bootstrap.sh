#!/usr/bin/env bash
# Install the Debian 12 packages faultline needs to build, test and benchmark, but only
# those that are missing. Silent and fast (one dpkg-query) when everything is present.
#   scripts/bootstrap.sh          build + test dependencies
set -euo pipefail

pkgs=(
  cmake make gcc clang pkgconf   # toolchain (clang: second compiler, libFuzzer)
  libclang-rt-14-dev             # libFuzzer + sanitizer runtimes for clang
  libcriterion-dev               # unit tests
  libjsmn-dev                    # JSON tokenizer (see docs/architecture.md: JSON library)
  libyaml-dev                    # --config FILE
  zlib1g-dev                     # gzip-compressed logs, nvidia-bug-report.log.gz
  libsystemd-dev                 # binary journal files (sd-journal)
  libxml2-dev                    # nvidia-smi -q -x
  jq                             # benchmarks compare against jq length
  python3-jsonschema             # schema validation tests (run with /usr/bin/python3)
  help2man                       # man page generated from --help
)

missing=()
for p in "${pkgs[@]}"; do
  st=$(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null || true)
  [[ "$st" == ii* ]] || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "bootstrap: installing ${missing[*]}" >&2
if [ "$(id -u)" -ne 0 ]; then
  SUDO=sudo
else
  SUDO=
fi
export DEBIAN_FRONTEND=noninteractive
if ! $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; then
  $SUDO apt-get update -qq >/dev/null
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
