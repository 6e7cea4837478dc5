/* SPDX-License-Identifier: ISC */
/*
 * fuzz_codec.c — libFuzzer target for the RIP codec (rip/rip_codec.c). Every input goes
 * through rip_decode; an input that decodes must encode again (with its digest copied back
 * into the trailer, as a sender would), the encoding must have the input's length and must
 * decode to the same message. Any difference aborts, so the fuzzer reports it as a crash.
 *
 * Built and run by tools/fuzz (seeds in tests/fuzz/seeds/codec).
 */
#include "config.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rip/rip_codec.h"
#include "rip_msg_equal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rip_msg a, b;
	uint8_t out[RIP_MAX_PACKET + 256];
	size_t len, digest_off;

	if (rip_decode(data, size, &a) != RIP_DECODE_OK)
		return 0;
	len = rip_encode(&a, out, sizeof(out), &digest_off);
	if (len != size)
		abort();
	if (a.has_auth && a.auth.type == RIP_AUTH_CRYPTO) {
		if (digest_off + a.auth.digest_len != len)
			abort();
		memcpy(out + digest_off, a.auth.digest, a.auth.digest_len);
	}
	if (rip_decode(out, len, &b) != RIP_DECODE_OK || !rip_msg_equal(&a, &b))
		abort();
	return 0;
}
