#!/usr/bin/env bash
# Installs what runbook and its lab need on a fresh Debian/Ubuntu machine (as root), then builds runbook.
# Idempotent: a second run installs nothing and only rebuilds. `--tests` adds what only the test suite uses
# (Debian's chromium for the HTML report test, ansible-core as the oracle, cron, strace, openssl, iptables).
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
for pair in sshd:openssh-server ssh:openssh-client ip:iproute2 brctl:bridge-utils ethtool:ethtool \
            ovs-vsctl:openvswitch-switch ping:iputils-ping python3:python3 unshare:util-linux nc:netcat-openbsd \
            sudo:sudo; do
  command -v "${pair%%:*}" >/dev/null 2>&1 || [ -x "/usr/sbin/${pair%%:*}" ] || need+=("${pair#*:}")
done
if [ "${1:-}" = --tests ]; then
  command -v chromium >/dev/null 2>&1 || need+=(chromium)
  command -v ansible-playbook >/dev/null 2>&1 || need+=(ansible-core)
  command -v crontab >/dev/null 2>&1 || need+=(cron)   # the cron module's e2e test runs crontab on lab hosts
  command -v strace >/dev/null 2>&1 || need+=(strace)  # tests that count the processes and writes a probe costs
  command -v openssl >/dev/null 2>&1 || need+=(openssl)  # certificates for the uri client-certificate test
  command -v iptables >/dev/null 2>&1 || [ -x /usr/sbin/iptables ] || need+=(iptables)  # the iptables oracle test
fi
if [ ${#need[@]} -gt 0 ]; then
  echo "setup: installing ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >/dev/null
  apt-get install -y -q --no-install-recommends "${need[@]}" >/dev/null
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: npm ci"
  npm ci --no-audit --no-fund --loglevel=error
fi
npm run -s build
echo "setup: ready ($(node dist/bundle/main.cjs --version))"
