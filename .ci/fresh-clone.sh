#!/usr/bin/env bash
# Runs a command of README.md's first code block exactly as written, in a fresh `git clone` of this
# repository's committed tree in a temporary folder, as a newcomer would: nothing installed,
# extracted or built beforehand, no ../shared beside it.
# Usage: bash .ci/fresh-clone.sh WORD   (WORD picks the command running `npm run WORD`, e.g. sandbox)
set -euo pipefail
cd "$(dirname "$0")/.."
cmd=$(node scripts/readme-commands.mjs "$1")
fresh=$(mktemp -d "${TMPDIR:-/tmp}/pf-fresh-clone-XXXXXX")
trap 'rm -rf "$fresh"' EXIT
git clone -q "$PWD" "$fresh/preview-fleet"
cd "$fresh/preview-fleet"
echo "in a fresh clone of $(git rev-parse --short HEAD) at $PWD:"
echo "\$ $cmd"
start=$(date +%s)
bash -euo pipefail -c "$cmd"
echo "README command \"$cmd\" passed on a fresh clone in $(( $(date +%s) - start )) s"
