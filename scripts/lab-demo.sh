#!/usr/bin/env bash
# The main job on the local lab: build it (or reuse it), configure the cluster over SSH, then
# drill a failover while the lab's clients install. Run scripts/setup.sh first.
set -euo pipefail
cd "$(dirname "$0")/.."
ksorch() { node dist/cli/main.js "$@"; }

ksorch lab up
ksorch apply inventory/lab.yaml
ksorch drill failover inventory/lab.yaml --yes --report reports/drill.html
