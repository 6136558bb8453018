/* SPDX-License-Identifier: MIT */
/*
 * counters.h - every counter the engine keeps, declared once.
 *
 * Each drop reason is a counter; a dropped packet carries the reason's index.
 * The name column is what logs, metrics and tests print, so names are stable.
 */
#ifndef PG_COUNTERS_H
#define PG_COUNTERS_H

/* X(ENUM_SUFFIX, "name", "help") */
#define PG_COUNTERS(X)                                                                             \
	X(NONE, "none", "no drop")                                                                 \
	/* traffic that went through */                                                            \
	X(RX_LAN, "rx_lan", "packets received from the LAN")                                       \
	X(RX_WAN, "rx_wan", "packets received from the WAN")                                       \
	X(TX_LAN, "tx_lan", "packets sent to the LAN")                                             \
	X(TX_WAN, "tx_wan", "packets sent to the WAN")                                             \
	X(TO_GW, "to_gateway", "packets for the gateway's own stack")                              \
	X(ICMP_ECHO_REPLIED, "icmp_echo_replied", "pings to the gateway answered")                 \
	X(ICMP_ERR_SENT, "icmp_error_sent", "ICMP errors the gateway generated")                   \
	X(ICMP_ERR_RATELIMITED, "icmp_error_ratelimited", "ICMP errors not sent: rate limit")      \
	X(ICMP_ERR_TRANSLATED, "icmp_error_translated", "ICMP errors about flows translated")     \
	X(MSS_CLAMPED, "mss_clamped", "TCP SYNs whose MSS was lowered")                             \
	X(TCP_RESET_SENT, "tcp_reset_sent", "TCP resets sent to LAN hosts for unknown connections") \
	X(FRAG_TRANSLATED, "frag_translated", "later fragments translated like their first")      \
	X(FRAG_HELD, "frag_held", "out-of-order fragments held for their first")                   \
	X(FRAG_FORGOTTEN, "frag_forgotten", "fragmented datagrams forgotten for room")             \
	X(FRAGMENTED, "fragmented", "packets cut into fragments to fit the egress MTU")            \
	/* flow table events */                                                                    \
	X(FLOW_CREATED, "flow_created", "flows created")                                           \
	X(FLOW_EXPIRED, "flow_expired", "flows expired after their timeout")                       \
	X(FLOW_EVICTED, "flow_evicted", "idle flows evicted because the table was full")           \
	X(FLOW_WAN_CHANGED, "flow_ended_wan_change",                                               \
	  "flows ended because the WAN address changed or went away")                              \
	X(EVENTS_LOST, "events_lost", "log events lost: the control plane read too slowly")        \
	X(MAPPING_CREATED, "mapping_created", "NAT mappings created")                              \
	X(MAPPING_EXPIRED, "mapping_expired", "NAT mappings released")                             \
	X(PORT_PRESERVED, "port_preserved", "mappings that kept the inside port")                  \
	X(FORWARDED_NEW, "forwarded_flows", "inbound flows a port forward created")                \
	X(DMZ_NEW, "dmz_flows", "inbound flows sent to the DMZ host")                              \
	X(HAIRPINNED, "hairpin_flows", "LAN-to-LAN flows through the public address")             \
	/* drops: malformed input */                                                               \
	X(DROP_TRUNCATED, "drop_truncated", "shorter than its headers")                            \
	X(DROP_IP_VERSION, "drop_ip_version", "not IPv4")                                          \
	X(DROP_IP_HDR_LEN, "drop_ip_header_length", "IHL below 5 or past the packet")              \
	X(DROP_IP_TOTAL_LEN, "drop_ip_total_length", "total length below IHL or past the buffer")  \
	X(DROP_IP_CHECKSUM, "drop_ip_checksum", "bad IPv4 header checksum")                        \
	X(DROP_IP_BAD_ADDR, "drop_ip_bad_address", "martian source or destination")                \
	X(DROP_L4_HDR, "drop_l4_header", "transport header truncated or inconsistent")             \
	X(DROP_L4_CHECKSUM, "drop_l4_checksum", "bad checksum on a packet for the gateway")        \
	X(DROP_IP_FRAGMENT, "drop_ip_fragment", "fragment for the gateway itself (not reassembled)") \
	X(DROP_FRAG_BAD, "drop_frag_bad", "fragment reaching past 65535 bytes")                    \
	X(DROP_FRAG_OVERLAP, "drop_frag_overlap", "fragment overlapping another of its datagram")   \
	X(DROP_FRAG_TOO_MANY, "drop_frag_too_many", "more fragments than a datagram may have")      \
	X(DROP_FRAG_REFUSED, "drop_frag_refused", "fragment of a datagram whose first was refused")  \
	X(DROP_FRAG_TIMEOUT, "drop_frag_timeout", "held fragment dropped: its first never came or was refused") \
	X(DROP_FRAG_HOLD_FULL, "drop_frag_hold_full", "out-of-order fragment with no buffer free") \
	/* drops: policy */                                                                        \
	X(DROP_TTL_EXCEEDED, "drop_ttl_exceeded", "TTL ran out (time-exceeded sent if allowed)")   \
	X(DROP_LAN_SPOOFED, "drop_lan_spoofed", "LAN packet with a source outside the LAN")        \
	X(DROP_WAN_SPOOFED, "drop_wan_spoofed", "WAN packet claiming a LAN or gateway source")     \
	X(DROP_LAN_LOCAL, "drop_lan_local", "LAN packet for another LAN host")                     \
	X(DROP_WAN_NOT_OURS, "drop_wan_not_ours", "WAN packet not for the gateway's address")      \
	X(DROP_WAN_DOWN, "drop_wan_down",                                                          \
	  "no WAN address (DHCP lease not bound): nothing crosses the gateway")                    \
	X(DROP_UNSOLICITED, "drop_unsolicited", "inbound packet matching no flow or mapping")      \
	X(DROP_FILTERED, "drop_filtered", "inbound refused by address-dependent filtering")        \
	X(DROP_TCP_NO_FLOW, "drop_tcp_no_flow", "TCP packet that cannot start a flow")             \
	X(DROP_TCP_STATE, "drop_tcp_state", "TCP packet invalid in the flow's state")              \
	X(DROP_PROTO, "drop_protocol", "IP protocol NAT would break: DCCP, UDP-Lite, AH")         \
	X(DROP_ICMP_TYPE, "drop_icmp_type", "ICMP type not forwarded")                             \
	X(DROP_ICMP_ERROR_NO_FLOW, "drop_icmp_error_no_flow", "ICMP error about no known flow")   \
	X(DROP_ICMP_CHECKSUM, "drop_icmp_checksum", "ICMP error with a bad ICMP checksum")          \
	X(DROP_ICMP_QUOTE_CHECKSUM, "drop_icmp_quote_checksum",                                   \
	  "ICMP error quoting an IP header with a bad checksum")                                   \
	X(DROP_FRAG_NEEDED, "drop_frag_needed", "DF packet larger than the egress MTU")            \
	X(DROP_TOO_BIG, "drop_too_big", "packet larger than the egress MTU, no room to fragment it")   \
	X(DROP_TABLE_FULL, "drop_table_full", "flow table full")                                   \
	X(DROP_HOST_LIMIT, "drop_host_limit", "LAN host reached its flow limit")                   \
	X(DROP_PORTS_EXHAUSTED, "drop_ports_exhausted", "no free public port or identifier")       \
	X(DROP_FLOW_CONFLICT, "drop_flow_conflict", "flow would clash with another LAN host's")    \
	X(DROP_TO_GW_LIMIT, "drop_gateway_policy", "packet for the gateway refused")              \
	X(DROP_PASSTHROUGH_OFF, "drop_passthrough_off", "VPN protocol whose passthrough is off")  \
	/* IPv6, routed without NAT (parse6.c, forward6.c) */                                    \
	X(FLOW6_CREATED, "flow6_created", "IPv6 firewall flows created")                           \
	X(FLOW6_EXPIRED, "flow6_expired", "IPv6 firewall flows expired")                           \
	X(IP6_IPSEC_ADMITTED, "ip6_ipsec_admitted", "inbound IPv6 ESP, AH or IKE let in (RFC 6092)") \
	X(DROP_IP6_OFF, "drop_ip6_off", "IPv6 packet while no IPv6 prefix is configured")         \
	X(DROP_IP6_PAYLOAD_LEN, "drop_ip6_payload_length", "IPv6 payload length past the buffer or a jumbogram") \
	X(DROP_IP6_EXT_CHAIN, "drop_ip6_ext_chain", "IPv6 extension headers truncated or too many") \
	X(DROP_IP6_EXT_HDR, "drop_ip6_ext_header", "IPv6 extension header misplaced or forbidden") \
	X(DROP_IP6_TOO_BIG, "drop_ip6_too_big", "IPv6 packet above the egress MTU (Packet Too Big sent)") \
	X(DROP_IP6_FRAG_NO_FLOW, "drop_ip6_frag_no_flow", "IPv6 later fragment whose first did not pass") \
	X(DROP_FLOW6_TABLE_FULL, "drop_flow6_table_full", "IPv6 firewall flow table full")       \
	/* PPTP helper */                                                                          \
	X(PPTP_SESSIONS, "pptp_sessions", "PPTP control connections followed")                     \
	X(PPTP_CALLS, "pptp_calls", "PPTP calls translated")                                       \
	X(PPTP_CALLS_CLEARED, "pptp_calls_cleared", "PPTP calls ended")                            \
	X(PPTP_BAD_MESSAGE, "pptp_bad_message", "PPTP control stream invalid: helper stopped")     \
	X(PPTP_SESSIONS_FULL, "pptp_sessions_full", "PPTP control connection not followed: full")  \
	X(PPTP_CALL_LIMIT, "pptp_call_limit", "PPTP call refused: per-connection cap")             \
	X(PPTP_CALL_IDS_EXHAUSTED, "pptp_call_ids_exhausted", "no free call id towards a server") \
	X(PPTP_CALL_ID_CONFLICT, "pptp_call_id_conflict", "server reused a call id we held: the old call ended")   \
	X(DROP_PPTP_OUT_OF_ORDER, "drop_pptp_out_of_order", "PPTP control segment past a gap")    \
	X(DROP_PPTP_CALL_REFUSED, "drop_pptp_call_refused", "PPTP call request refused: no public call id for it") \
	X(DROP_PPTP_UNFOLLOWED, "drop_pptp_unfollowed", "PPTP control payload the helper cannot follow") \
	/* IPsec helper */                                                                         \
	X(IKE_V1, "ike_v1_messages", "IKEv1 messages seen (UDP 500 or NAT-T)")                     \
	X(IKE_V2, "ike_v2_messages", "IKEv2 messages seen (UDP 500 or NAT-T)")                     \
	X(IKE_MALFORMED, "ike_malformed", "IKE messages shorter than their header")                \
	X(NATT_FLOWS, "natt_flows", "NAT-T (UDP 4500) flows opened")                               \
	X(NATT_ESP, "natt_esp_packets", "ESP-in-UDP packets (NAT-T)")                              \
	X(NATT_KEEPALIVES, "natt_keepalives", "NAT-T keepalives")                                  \
	X(ESP_SA_OUT, "esp_sa_out", "raw ESP outbound SPIs seen")                                  \
	X(ESP_SPI_LEARNED, "esp_spi_learned", "raw ESP inbound SPIs bound to a client")            \
	X(DROP_ESP_LEARN_WAIT, "drop_esp_learn_wait", "raw ESP waiting for another client's learn") \
	X(DROP_ESP_LEARN_FULL, "drop_esp_learn_full", "raw ESP: too many SPIs waiting to be learnt") \
	X(ESP_LEARN_FORGOTTEN, "esp_learn_forgotten", "raw ESP SAs forgotten: silent while another client waited") \
	/* L2TP helper */                                                                          \
	X(L2TP_TUNNEL_FLOWS, "l2tp_flows", "L2TP (UDP 1701) flows opened")                         \
	X(L2TP_CONTROL, "l2tp_control_messages", "L2TP control messages")                          \
	X(L2TP_DATA, "l2tp_data_messages", "L2TP data messages")

enum pg_counter {
#define PG_COUNTER_ENUM(sym, name, help) PG_CNT_##sym,
	PG_COUNTERS(PG_COUNTER_ENUM)
#undef PG_COUNTER_ENUM
	PG_CNT__COUNT
};

/* Stable name of a counter ("drop_truncated"), or "?" out of range. */
const char *pg_counter_name(unsigned int c);
/* One-line description of a counter. */
const char *pg_counter_help(unsigned int c);

#endif /* PG_COUNTERS_H */
