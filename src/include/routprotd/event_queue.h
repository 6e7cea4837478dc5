/* SPDX-License-Identifier: ISC */
/*
 * event_queue.h — the FIFO of protocol events (ROUTER_STOPPED, SAVE_*, UPDATE_COMPLETE) that a
 * protocol keeps for the router manager: the protocol posts (and then calls
 * support->signal_event), the RM drains it through get_event_message until ERROR_NO_MORE_ITEMS.
 */
#ifndef RP_SDK_EVENT_QUEUE_H
#define RP_SDK_EVENT_QUEUE_H

#include <stdbool.h>
#include <stddef.h>

#include <routprotd/routprot.h>

struct rp_event_queue {
	struct rp_queued_event *head;
	struct rp_queued_event *tail;
	size_t count;
};

void rp_event_queue_init(struct rp_event_queue *q);
/* Appends a copy of the message; false only when memory runs out. */
bool rp_event_queue_post(struct rp_event_queue *q, enum rp_event_type type,
			 const union rp_message *message);
/* NO_ERROR with the oldest event, or ERROR_NO_MORE_ITEMS. */
enum rp_result rp_event_queue_pop(struct rp_event_queue *q, enum rp_event_type *type,
				  union rp_message *message);
void rp_event_queue_clear(struct rp_event_queue *q);

#endif
