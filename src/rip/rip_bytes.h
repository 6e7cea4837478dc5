/* SPDX-License-Identifier: ISC */
/*
 * rip_bytes.h — RIP's bounds-checked cursors for reading and writing wire formats in network
 * byte order (memcpy + ntoh/hton; no struct overlays). A read or write past the end sets `err` and yields
 * zeros / writes nothing, so a codec can check once at the end; every length comes from the
 * cursor, never from the data.
 */
#ifndef ROUTPROTD_RIP_BYTES_H
#define ROUTPROTD_RIP_BYTES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct byte_reader {
	const uint8_t *buf;
	size_t len;
	size_t off;
	bool err;
};

struct byte_writer {
	uint8_t *buf;
	size_t cap;
	size_t off;
	bool err;
};

static inline void br_init(struct byte_reader *r, const void *buf, size_t len)
{
	r->buf = buf;
	r->len = len;
	r->off = 0;
	r->err = false;
}

static inline size_t br_left(const struct byte_reader *r)
{
	return r->err ? 0 : r->len - r->off;
}

static inline bool br_take(struct byte_reader *r, void *dst, size_t n)
{
	if (r->err || n > r->len - r->off) {
		r->err = true;
		if (dst)
			memset(dst, 0, n);
		return false;
	}
	if (dst)
		memcpy(dst, r->buf + r->off, n);
	r->off += n;
	return true;
}

static inline uint8_t br_u8(struct byte_reader *r)
{
	uint8_t v;

	br_take(r, &v, 1);
	return v;
}

static inline uint16_t br_u16(struct byte_reader *r)
{
	uint8_t b[2];

	br_take(r, b, 2);
	return (uint16_t)((b[0] << 8) | b[1]);
}

static inline uint32_t br_u32(struct byte_reader *r)
{
	uint8_t b[4];

	br_take(r, b, 4);
	return ((uint32_t)b[0] << 24) | ((uint32_t)b[1] << 16) | ((uint32_t)b[2] << 8) | b[3];
}

static inline void br_skip(struct byte_reader *r, size_t n)
{
	br_take(r, NULL, n);
}

static inline void bw_init(struct byte_writer *w, void *buf, size_t cap)
{
	w->buf = buf;
	w->cap = cap;
	w->off = 0;
	w->err = false;
}

static inline bool bw_put(struct byte_writer *w, const void *src, size_t n)
{
	if (w->err || n > w->cap - w->off) {
		w->err = true;
		return false;
	}
	if (src)
		memcpy(w->buf + w->off, src, n);
	else
		memset(w->buf + w->off, 0, n);
	w->off += n;
	return true;
}

static inline void bw_u8(struct byte_writer *w, uint8_t v)
{
	bw_put(w, &v, 1);
}

static inline void bw_u16(struct byte_writer *w, uint16_t v)
{
	uint8_t b[2] = { (uint8_t)(v >> 8), (uint8_t)v };

	bw_put(w, b, 2);
}

static inline void bw_u32(struct byte_writer *w, uint32_t v)
{
	uint8_t b[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v };

	bw_put(w, b, 4);
}

static inline void bw_zero(struct byte_writer *w, size_t n)
{
	bw_put(w, NULL, n);
}

#endif
