# SPDX-License-Identifier: ISC
"""Helpers of the routprotd topology tests: network namespaces, processes, the daemon."""
