#!/usr/bin/env bash
# The whole test suite, as CI runs it: setup, lint, unit + end-to-end tests on a lab of real sshd hosts.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
npm run -s lint
npx vitest run
