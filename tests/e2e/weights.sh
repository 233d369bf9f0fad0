#!/usr/bin/env bash
# e2e (b): destination weights shape the distribution of calls.
# Weights 1:2:3 over three sipp servers, with "weighted" (random in proportion to weight) and with
# "maglev" (Call-ID hashing over a weighted Maglev table; fixed Call-IDs w-maglev-1.. make it
# reproducible); 300 calls each. Each server's share of the INVITEs (siplbd's per-destination
# counters) must lie within +-0.09 of weight/6 (about 3 standard deviations of a binomial share
# over 300 calls), every call must succeed, and the servers' own counts must agree.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
e2e_init b "$@"

calls=300
tolerance=0.09
weights=(1 2 3)
lab_up 3
for n in 1 2 3; do start_uas "$n"; done

summary=()
for algorithm in weighted maglev; do
  write_config "$WORK/$algorithm.toml" "$algorithm" "${weights[@]}"
  start_siplbd "$WORK/$algorithm.toml"
  wait_all_active 3
  run_uac "$algorithm" "$calls" 100 0 -cid_str "w-$algorithm-%u@e2e" -trace_logs
  stop_siplbd
  [ "$UAC_OK" -eq "$calls" ] && [ "$UAC_FAILED" -eq 0 ] ||
    fail "$algorithm: $UAC_OK of $calls calls succeeded ($UAC_FAILED failed, sipp status $UAC_RC)"
  last_counters >"$WORK/$algorithm.counters"
  line="$algorithm (weights ${weights[*]}):"
  for n in 1 2 3; do
    got=$(dest_count "$(server_uri "$n")" <"$WORK/$algorithm.counters")
    answered=$(awk -v ip="$(server_ip "$n")" '$2 == ip' "$WORK/uac-$algorithm.log" | wc -l)
    # siplbd counts selections (a retransmitted INVITE twice), the caller answered calls.
    [ "$got" -ge "$answered" ] ||
      fail "$algorithm: siplbd counted $got INVITEs to server $n, the caller got $answered answers from it"
    s=$(share "$got" "$calls")
    want=$(awk -v w="${weights[n - 1]}" 'BEGIN { printf "%.3f", w / 6 }')
    line+=" s$n $got calls = $s (want $want)"
    within "$s" "$(awk -v w="$want" -v t="$tolerance" 'BEGIN {print w - t}')" \
      "$(awk -v w="$want" -v t="$tolerance" 'BEGIN {print w + t}')" ||
      fail "$algorithm: server $n (weight ${weights[n - 1]}) got share $s, want $want +- $tolerance"
  done
  log "$line"
  summary+=("$line")
done
log "PASS: shares within +-$tolerance of the weights"
printf 'e2e:   %s\n' "${summary[@]}"
