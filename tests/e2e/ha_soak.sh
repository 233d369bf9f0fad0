#!/usr/bin/env bash
# e2e (o): the HA pair's false-takeover soak, short: perf/ha_soak.sh for 30 s (E2E_HA_SOAK_S
# overrides) with this test's executables. The pair of tests/e2e/ha.sh with the default HA timing
# on cores kept saturated by busy loops, OPTIONS to the VIP every 5 ms and a sipp REGISTER load
# through it: neither node may change role. The soak's figures (heartbeats lost, the HA thread's
# largest wake-up delay, the prober's longest gap) are printed. Everything else (skip without
# root or sipp, clean-up, logs on failure) is tests/e2e/lib.sh's, through perf/ha_soak.sh.
exec bash "$(dirname "${BASH_SOURCE[0]}")/../../perf/ha_soak.sh" -d "${E2E_HA_SOAK_S:-30}" -r "${E2E_HA_SOAK_RATE:-50}" "$@"
