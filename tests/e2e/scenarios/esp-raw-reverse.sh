# SPDX-License-Identifier: MIT
# esp-raw-reverse: esp-raw-multi (three LAN clients, raw ESP to one
# responder) with a responder that answers the oldest SA first and late
# (issue 17 item 5): it holds every SA's answers until all three clients'
# ESP has arrived or 4 s after an SA's first ESP, then answers the SAs
# oldest first, 1 s apart (lib/espprobe.py responder ... gather). A gateway
# that let a second client wait at the server while the first one's answer
# was still due, and gave an unknown SPI to the newest waiter, handed the
# first client's answers to another client: foreign ESP, and the scenario
# fails. passgated lets one client wait per server, so each answer can only
# be its own client's ("all"); Linux NAT serves one client ("one").
ESP_CLIENTS=3
ESP_COUNT=70     # 14 s of ESP: the third client waits for two learns of 4 s
ESP_MIN_GOOD=10
ESP_DELAY=1
ESP_RESPONDER=(gather 4)
source "$E2E_DIR/scenarios/esp-raw.sh"
