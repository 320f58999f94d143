// Userspace OVS per host, started the way the playbook's ovs_service module would start it.
/**
 * Shell function for init.sh. The daemons are started with the same command lines as the
 * ovs_service module (src/modules/net/ovs-service.ts) uses with its defaults: db
 * /etc/openvswitch/conf.db, socket /run/openvswitch/db.sock, pidfiles
 * /run/openvswitch/<daemon>.pid, logs in /var/log/openvswitch; so ovs_service finds them running.
 * Lab plumbing measured on this machine: a netdev bridge br-phy that owns eth0 and eth0's MAC, the underlay address moved onto br-phy, and rp_filter=1 on eth0 so
 * frames that reach the kernel through both eth0 and br-phy are not delivered twice.
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
  ip -batch - <<END_OF_IP
addr del $HOST_IP/24 dev eth0
addr add $HOST_IP/24 dev br-phy
link set br-phy up
END_OF_IP
  echo "lab init: $H ovs up (br-phy owns $HOST_IP)"
}`;
