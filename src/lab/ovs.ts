// Userspace OVS per host, started the way the playbook's ovs_service module would start it.
/**
 * Shell function for init.sh. The daemons are started with the same command lines as the
 * ovs_service module (src/modules/net/ovs-service.ts) uses with its defaults: db
 * /etc/openvswitch/conf.db, socket /run/openvswitch/db.sock, pidfiles
 * /run/openvswitch/<daemon>.pid, logs in /var/log/openvswitch; so ovs_service finds them running.
 * Lab plumbing measured on this machine: a netdev bridge br-phy that owns eth0 and eth0's MAC, the underlay address moved onto br-phy, and rp_filter=1 on eth0 so
 * frames that reach the kernel through both eth0 and br-phy are not delivered twice.
 * The other lab hosts' underlay MACs (OVS_PEERS, fixed MACs from src/lab/names.ts) are seeded into OVS's
 * tunnel-neighbour cache and, permanent, into the kernel's neighbour table on br-phy. Without them every host ARPs
 * for every peer during a gre-mesh run (OVS for its first GRE packet, br0's IPv6 link-local chatter; the kernel to
 * answer GRE that arrives before its own tunnel port exists), every host's userspace OVS sees all n(n-1) broadcasts
 * of the shared segment and installs and revalidates a flow for each: n³ work on the lab's shared cores that real
 * hosts, each with its own CPUs, never share (revalidators: 0.16 s of CPU at 10 hosts, 0.9 s at 20).
 * One connection to ovs-vswitchd's control socket sets OVS's (netcat); one ovs-appctl each where nc is missing.
 */
export const OVS_INIT_FUNCTION = `lab_ovs() {
  mkdir -p /run/openvswitch /var/log/openvswitch /var/lib/openvswitch /etc/openvswitch
  DB=$(readlink -f /etc/openvswitch/conf.db)
  [ -s "$DB" ] || ovsdb-tool create "$DB" /usr/share/openvswitch/vswitch.ovsschema
  ovsdb-server --remote=punix:/run/openvswitch/db.sock \\
    --remote=db:Open_vSwitch,Open_vSwitch,manager_options \\
    --pidfile=/run/openvswitch/ovsdb-server.pid --detach \\
    --log-file=/var/log/openvswitch/ovsdb-server.log /etc/openvswitch/conf.db
  ovs-vsctl --db=unix:/run/openvswitch/db.sock --no-wait init
  ovs-vswitchd --pidfile=/run/openvswitch/ovs-vswitchd.pid --detach \\
    --log-file=/var/log/openvswitch/ovs-vswitchd.log unix:/run/openvswitch/db.sock
  MAC=$(cat /sys/class/net/eth0/address)
  ovs-vsctl --timeout=30 -- --may-exist add-br br-phy \\
    -- set bridge br-phy datapath_type=netdev other_config:hwaddr="$MAC" \\
    -- --may-exist add-port br-phy eth0
  echo 1 > /proc/sys/net/ipv4/conf/eth0/rp_filter
  # each_peer F: F <ip> <mac> for every other lab host
  each_peer() { F=$1; set -- $OVS_PEERS; while [ $# -ge 2 ]; do "$F" "$1" "$2"; shift 2; done; }
  neigh_line() { echo "neigh replace $1 lladdr $2 dev br-phy nud permanent"; }
  ip -batch - <<END_OF_IP
addr del $HOST_IP/24 dev eth0
addr add $HOST_IP/24 dev br-phy
link set br-phy up
$(each_peer neigh_line)
END_OF_IP
  if [ -n "$OVS_PEERS" ]; then
    # after OVS has seen br-phy up with its address: that change flushes br-phy's tunnel neighbours
    ovs-vsctl --timeout=10 wait-until interface br-phy link_state=up || :
    CTL=/run/openvswitch/ovs-vswitchd.$(cat /run/openvswitch/ovs-vswitchd.pid).ctl
    K=0
    rpc_line() { K=$((K + 1)); printf '%s' '{"method":"tnl/neigh/set","params":["br-phy","'"$1"'","'"$2"'"],"id":'"$K}"; }
    appctl_set() { ovs-appctl tnl/neigh/set br-phy "$1" "$2" >/dev/null || :; }
    # netcat-openbsd speaks to a unix socket (-U); elsewhere one ovs-appctl per peer
    each_peer rpc_line | nc -N -U "$CTL" 2>/dev/null | grep -q '"result"' || each_peer appctl_set
  fi
  echo "lab init: $H ovs up (br-phy owns $HOST_IP)"
}`;
