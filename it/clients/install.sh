#!/usr/bin/env bash
# Installs the non-Java clients of the client matrix (it/src/test/java/io/varve/it/matrix) when a
# machine lacks them, and does nothing else: the it module's build runs it before the integration
# tests (pre-integration-test), so `mvn -B verify` alone works on a fresh Debian 12 machine.
#   - Debian packages: kcat, python3-confluent-kafka, python3-kafka and kafka-python's codecs
#     (apt-get; as root, or through sudo when there is one)
#   - kafkajs and its codecs: `npm ci` in it/clients/node from the committed package-lock.json
# Everything present: a few dpkg-query calls and a file comparison, well under a second.
# Anything that cannot be installed fails the build, with what is missing: the matrix never skips.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)

debian_packages=(kcat python3-confluent-kafka python3-kafka python3-snappy python3-lz4 python3-zstandard)

missing=()
for package in "${debian_packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done
if [ ${#missing[@]} -gt 0 ]; then
  if ! command -v apt-get >/dev/null; then
    echo "install.sh: missing ${missing[*]} and no apt-get to install them" >&2
    exit 1
  fi
  sudo=()
  if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null || { echo "install.sh: missing ${missing[*]}: run as root or install them" >&2; exit 1; }
    sudo=(sudo -n)
  fi
  echo "install.sh: installing ${missing[*]}" >&2
  # several builds on one machine may run apt at once: wait for the lock instead of failing
  apt_options=(-o DPkg::Lock::Timeout=600 -q)
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get "${apt_options[@]}" update >&2
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get "${apt_options[@]}" install -y \
    --no-install-recommends "${missing[@]}" >&2
fi

command -v node >/dev/null || { echo "install.sh: node is missing (kafkajs runs on Node.js)" >&2; exit 1; }
command -v npm >/dev/null || { echo "install.sh: npm is missing (it installs kafkajs)" >&2; exit 1; }
# npm writes node_modules/.package-lock.json on every install: the same content as the committed
# lock's packages means node_modules holds exactly what the lock pins
installed="$here/node/node_modules/.package-lock.json"
if [ ! -f "$installed" ] || ! node -e '
    const fs = require("fs");
    const [lock, installed] = process.argv.slice(1).map(f => JSON.parse(fs.readFileSync(f, "utf8")).packages);
    const versions = p => JSON.stringify(Object.keys(p).filter(k => k).sort().map(k => [k, p[k].version]));
    process.exit(versions(lock) === versions(installed) ? 0 : 1);
  ' "$here/node/package-lock.json" "$installed"; then
  echo "install.sh: npm ci in $here/node" >&2
  (cd "$here/node" && npm ci --no-audit --no-fund --loglevel=error >&2)
fi
