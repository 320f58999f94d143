// Userspace OVS per host, started the way the playbook's ovs_service module would start it.
/**
 * Shell function for init.sh. The daemons are started with the same command lines as the
 * ovs_service module (src/modules/net/ovs-service.ts) uses with its defaults: db
 * /etc/openvswitch/conf.db, socket /run/openvswitch/db.sock, pidfiles
 * /run/openvswitch/<daemon>.pid, logs in /var/log/openvswitch; so ovs_service finds them running.
 * Lab plumbing measured on this machine. Two segments, as a host with a management and a data network has: eth0
 * keeps the underlay address in the kernel, so SSH never passes through userspace OVS (a real host's OVS is in the
 * kernel and costs SSH nothing; here every SSH packet through ovs-vswitchd cost the shared cores ~25 % of a run);
 * a netdev bridge br-phy owns eth1 (the data segment) and eth1's MAC, holds the same address without a prefix route
 * (the kernel keeps reaching the /24 through eth0) and, by a route of OVS's own, is where OVS sends and takes the
 * GRE between hosts. rp_filter=1 on eth1: the kernel drops its copy of the frames OVS takes there (and on br-phy).
 * The other lab hosts' eth1 MACs (OVS_PEERS, fixed MACs from src/lab/names.ts) are seeded into OVS's
 * tunnel-neighbour cache. Without them every host's OVS ARPs for every peer during a gre-mesh run and every host's
 * userspace OVS sees all n(n-1) broadcasts of the shared segment and installs and revalidates a flow for each: n³ work
 * on the lab's shared cores that real hosts, each with its own CPUs, never share (revalidators: 0.16 s of CPU at 10
 * hosts, 0.9 s at 20).
 * One connection to ovs-vswitchd's control socket sets the route and the neighbours (netcat); ovs-appctl where nc is
 * missing. OVS_UPLINK=eth0 (lab up's ovsManagement) is the other layout: br-phy owns eth0 and takes its address, so
 * SSH itself goes through OVS, for the tests that cut a host's management path with an OVS port.
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
  UP=\${OVS_UPLINK:-eth1}
  MAC=$(cat /sys/class/net/$UP/address)
  ovs-vsctl --timeout=30 -- --may-exist add-br br-phy \\
    -- set bridge br-phy datapath_type=netdev other_config:hwaddr="$MAC" \\
    -- --may-exist add-port br-phy $UP
  echo 1 > /proc/sys/net/ipv4/conf/$UP/rp_filter
  if [ "$UP" = eth0 ]; then
    # management through OVS (ovsManagement, for tests that cut it): the address moves from eth0 to br-phy
    ip -batch - <<END_OF_IP
addr del $HOST_IP/24 dev eth0
addr add $HOST_IP/24 dev br-phy
link set br-phy up
END_OF_IP
    echo "lab init: $H ovs up (br-phy on eth0 holds $HOST_IP)"
    return
  fi
  # and on br-phy: GRE that reaches a host before its own tunnel port exists is dropped, not answered (ICMP)
  echo 1 > /proc/sys/net/ipv4/conf/br-phy/rp_filter
  ip -batch - <<END_OF_IP
link set eth1 up
addr add $HOST_IP/24 dev br-phy noprefixroute
link set br-phy up
END_OF_IP
  # after OVS has seen br-phy up with its address: that change flushes br-phy's tunnel neighbours
  ovs-vsctl --timeout=10 wait-until interface br-phy link_state=up || :
  CTL=/run/openvswitch/ovs-vswitchd.$(cat /run/openvswitch/ovs-vswitchd.pid).ctl
  NET=\${HOST_IP%.*}.0/24
  # each_peer F: F <ip> <mac> for every other lab host
  each_peer() { F=$1; set -- $OVS_PEERS; while [ $# -ge 2 ]; do "$F" "$1" "$2"; shift 2; done; }
  K=1
  rpc_line() { K=$((K + 1)); printf '%s' '{"method":"tnl/neigh/set","params":["br-phy","'"$1"'","'"$2"'"],"id":'"$K}"; }
  rpc() { printf '%s' '{"method":"ovs/route/add","params":["'"$NET"'","br-phy"],"id":1}'; each_peer rpc_line; }
  appctl_set() { ovs-appctl tnl/neigh/set br-phy "$1" "$2" >/dev/null || :; }
  # netcat-openbsd speaks to a unix socket (-U); elsewhere ovs-appctl, one call each
  if ! rpc | nc -N -U "$CTL" 2>/dev/null | grep -q '"result"'; then
    ovs-appctl ovs/route/add "$NET" br-phy >/dev/null || :
    each_peer appctl_set
  fi
  echo "lab init: $H ovs up (br-phy on eth1 holds $HOST_IP)"
}`;
