# SPDX-License-Identifier: MIT
# esp-raw-multi: esp-raw with three LAN clients to one responder at once
# (issue 5): passgated serves all three, Linux NAT one.
ESP_CLIENTS=3
source "$E2E_DIR/scenarios/esp-raw.sh"
