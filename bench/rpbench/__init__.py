# SPDX-License-Identifier: ISC
"""routprotd's benchmark: large RIP tables between routprotd, BIRD and FRR in network namespaces.

tools/bench is the entry point (rpbench.main). The modules:

    plan      the prefixes and link addresses every scenario uses (all in 198.18.0.0/15)
    probe     a helper program run inside a namespace: kernel FIB watcher, RIP packet capture
    lab       namespaces, daemons (routprotd, BIRD, FRR) and their configurations
    scenarios the measurements: receive, send, kernel limit, churn, steady state, triggered
    report    the results table, ratios, CSV and gnuplot chart
"""
