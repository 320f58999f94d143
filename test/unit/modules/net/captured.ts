// Real replies captured on Debian 12 (iproute2 6.1, Open vSwitch 3.1.0) in a throwaway netns / private ovsdb-server.

/** `ip -j -d addr show dev br0` (bridge, up, mtu 1400, 192.168.100.1/24, veth v0 enslaved and down), trimmed of bridge timers. */
export const BR0_DETAILS =
  '[{"ifindex":2,"ifname":"br0","flags":["NO-CARRIER","BROADCAST","MULTICAST","UP"],"mtu":1400,"qdisc":"noqueue","operstate":"DOWN","group":"default","txqlen":1000,"link_type":"ether","address":"52:64:c5:96:76:50","broadcast":"ff:ff:ff:ff:ff:ff","promiscuity":0,"allmulti":0,"min_mtu":68,"max_mtu":65535,"linkinfo":{"info_kind":"bridge","info_data":{"forward_delay":1500,"hello_time":200,"max_age":2000,"ageing_time":30000,"stp_state":0,"priority":32768,"vlan_filtering":0,"bridge_id":"8000.52:64:c5:96:76:50","root_id":"8000.52:64:c5:96:76:50","root_port":0,"root_path_cost":0,"topology_change":0,"topology_change_detected":0,"group_fwd_mask":"0","group_addr":"01:80:c2:00:00:00","mcast_snooping":1,"no_linklocal_learn":0,"mcast_vlan_snooping":0,"mcast_router":1,"mcast_query_use_ifaddr":0,"mcast_querier":0,"mcast_hash_elasticity":16,"mcast_hash_max":4096,"mcast_last_member_cnt":2,"mcast_startup_query_cnt":2,"mcast_last_member_intvl":100,"mcast_membership_intvl":26000,"mcast_querier_intvl":25500,"mcast_query_intvl":12500,"mcast_query_response_intvl":1000,"mcast_startup_query_intvl":3124,"mcast_stats_enabled":0,"mcast_igmp_version":2,"mcast_mld_version":1,"nf_call_iptables":0,"nf_call_ip6tables":0,"nf_call_arptables":0}},"num_tx_queues":1,"num_rx_queues":1,"gso_max_size":65536,"gso_max_segs":65535,"tso_max_size":524280,"tso_max_segs":65535,"gro_max_size":65536,"addr_info":[{"family":"inet","local":"192.168.100.1","prefixlen":24,"scope":"global","label":"br0","valid_life_time":4294967295,"preferred_life_time":4294967295}]}]';

/** bridgeProbe's ports (a shell loop over /sys/class/net/br0/brif, each port's flags read): veth v0 enslaved, down. */
export const BR0_PORTS = 'v0 0x1302\n';

/** `ip -j -d link show dev v0`: a veth, not a bridge. */
export const V0_LINK =
  '[{"ifindex":4,"link":"v1","ifname":"v0","flags":["BROADCAST","MULTICAST","M-DOWN"],"mtu":1500,"qdisc":"noop","master":"br0","operstate":"DOWN","linkinfo":{"info_kind":"veth","info_slave_kind":"bridge"}}]';

/** `ip -j route show exact 192.168.2.0/24` */
export const ROUTE_2 = '[{"dst":"192.168.2.0/24","gateway":"10.0.0.2","dev":"v1","metric":50,"flags":[]}]';
/** Two routes to one destination with different metrics. */
export const ROUTE_2_TWO =
  '[{"dst":"192.168.2.0/24","gateway":"10.0.0.2","dev":"v1","metric":50,"flags":[]},{"dst":"192.168.2.0/24","gateway":"10.0.0.3","dev":"v1","metric":100,"flags":[]}]';
/** `ip -j route show exact default` (metric 0 is not printed). */
export const ROUTE_DEFAULT = '[{"dst":"default","gateway":"10.0.0.254","dev":"v1","flags":[]}]';
/** `ip -j route show exact 10.0.0.77/32`: a host route prints without /32. */
export const ROUTE_HOST = '[{"dst":"10.0.0.77","dev":"v1","scope":"link","flags":[]}]';

/** `ovs-vsctl --format=json --columns=name,datapath_type,stp_enable,rstp_enable,other_config,fail_mode list bridge obr0` after add-br. */
export const OBR0_FRESH =
  '{"data":[["obr0","",false,false,["map",[]],["set",[]]]],"headings":["name","datapath_type","stp_enable","rstp_enable","other_config","fail_mode"]}';
/** The same after `set bridge obr0 stp_enable=true datapath_type=netdev other_config:forward-bpdu=true fail_mode=secure`. */
export const OBR0_TUNED =
  '{"data":[["obr0","netdev",true,false,["map",[["forward-bpdu","true"]]],"secure"]],"headings":["name","datapath_type","stp_enable","rstp_enable","other_config","fail_mode"]}';
export const DB_DOWN = 'ovs-vsctl: unix:/var/run/openvswitch/db.sock: database connection failed (No such file or directory)\n';

/** `ovs-vsctl --format=json --columns=name,type,options,error list interface gre0` after the seed's `set interface gre0 type=gre options:remote_ip=…`. */
export const GRE0_IFACE =
  '{"data":[["gre0","gre",["map",[["key","5"],["remote_ip","192.168.42.131"]]],["set",[]]]],"headings":["name","type","options","error"]}';
/** The seed's failure: add-port exited 0 but the error column holds the reason. */
export const GRE0_IFACE_ERROR =
  '{"data":[["gre0","",["map",[]],"could not add network device gre0 to ofproto (Invalid argument)"]],"headings":["name","type","options","error"]}';
export const GRE0_PORT_UNTAGGED = '{"data":[["gre0",["set",[]],false]],"headings":["name","tag","protected"]}';
export const GRE0_PORT_TAG10 = '{"data":[["gre0",10,false]],"headings":["name","tag","protected"]}';
export const GRE0_PORT_PROTECTED = '{"data":[["gre0",["set",[]],true]],"headings":["name","tag","protected"]}';
export const NO_IFACE_ROW = (name: string) =>
  `ovs-vsctl: no row "${name}" in table Interface\novs-vsctl: no port named ${name}\novs-vsctl: no row "${name}" in table Port\n`;
