/* SPDX-License-Identifier: ISC */
/* rm_history.c — fixed-size ring of delivered callbacks and drained events (see rm_history.h). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "core/rm_history.h"
#include "core/rm_internal.h"
#include "routprotd/clock.h"

struct rm_history {
	struct rm_history_entry *ring;
	size_t capacity;
	uint64_t total; /* entries ever added; ring[total % capacity] is the next slot */
};

struct rm_history *rm_history_new(size_t capacity)
{
	struct rm_history *h = calloc(1, sizeof(*h));

	if (!h)
		return NULL;
	h->ring = calloc(capacity, sizeof(*h->ring));
	if (!h->ring) {
		free(h);
		return NULL;
	}
	h->capacity = capacity;
	return h;
}

void rm_history_free(struct rm_history *h)
{
	if (!h)
		return;
	for (size_t i = 0; i < h->capacity; i++)
		free((void *)h->ring[i].bound);
	free(h->ring);
	free(h);
}

void rm_history_add(struct rm_history *h, const struct rm_history_entry *e)
{
	struct rm_history_entry *slot = &h->ring[h->total % h->capacity];
	unsigned keep = e->nbound < RM_HISTORY_MAX_ADDRS ? e->nbound : RM_HISTORY_MAX_ADDRS;
	struct rp_bound_address *copy = NULL;

	free((void *)slot->bound);
	if (keep > 0 && e->bound) {
		copy = malloc(keep * sizeof(*copy));
		if (copy)
			memcpy(copy, e->bound, keep * sizeof(*copy));
	}
	*slot = *e;
	slot->bound = copy;
	if (!copy)
		slot->nbound = e->bound ? 0 : e->nbound;
	h->total++;
}

uint64_t rm_history_total(const struct rm_history *h)
{
	return h->total;
}

static json_t *entry_json(const struct rm_history_entry *e)
{
	char when[RP_CLOCK_ISO8601_LEN];
	json_t *o = json_object();

	if (!o)
		return NULL;
	rp_clock_format_iso8601(e->wall_ms, when);
	json_object_set_new(o, "time", json_string(when));
	json_object_set_new(o, "type", json_string(e->type));
	json_object_set_new(o, "interface", e->ifname[0] ? json_string(e->ifname) : json_null());
	if (e->ifindex)
		json_object_set_new(o, "ifindex", json_integer(e->ifindex));
	if (e->protocol[0])
		json_object_set_new(o, "protocol", json_string(e->protocol));
	if (e->active >= 0)
		json_object_set_new(o, "active", json_boolean(e->active));
	if (e->status)
		json_object_set_new(o, "status", json_string(e->status));
	if (strcmp(e->type, "ADDRESS_CHANGE") == 0) {
		unsigned kept = e->nbound < RM_HISTORY_MAX_ADDRS ? e->nbound : RM_HISTORY_MAX_ADDRS;

		json_object_set_new(o, "addresses", rm_binding_addresses_json(e->bound, kept));
		json_object_set_new(o, "address_flags", rm_binding_flags_json(e->bound, kept));
		json_object_set_new(o, "address_count", json_integer(e->nbound));
		json_object_set_new(o, "families", rm_families_json(e->families));
	}
	return o;
}

json_t *rm_history_json(const struct rm_history *h, size_t last_n)
{
	size_t kept = h->total < h->capacity ? (size_t)h->total : h->capacity;
	size_t n = (last_n == 0 || last_n > kept) ? kept : last_n;
	json_t *arr = json_array();

	for (uint64_t i = h->total - n; arr && i < h->total; i++)
		json_array_append_new(arr, entry_json(&h->ring[i % h->capacity]));
	return arr;
}
