#!/usr/bin/env bash
# The main job on a fresh machine (as root): install and build runbook, start a lab of N real OpenSSH hosts
# (each with its own network namespace and Open vSwitch), run playbooks/gre-mesh.yaml on them, then run it
# again to show the rerun changes nothing. With a fleet of your own: runbook run playbooks/gre-mesh.yaml -i inventory
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-3}
bash scripts/setup.sh
npx runbook lab up "$N" --ovs
npx runbook run playbooks/gre-mesh.yaml -i .lab/lab/inventory.yaml
echo
echo "== the same playbook again: nothing to change =="
npx runbook run playbooks/gre-mesh.yaml -i .lab/lab/inventory.yaml
echo
echo "The lab stays up: npx runbook exec mesh -i .lab/lab/inventory.yaml -- ovs-vsctl show"
echo "Tear it down with:  npx runbook lab down"
