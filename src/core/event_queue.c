/* SPDX-License-Identifier: ISC */
/* event_queue.c — the protocol event FIFO drained by the router manager (see event_queue.h). */
#include "config.h"

#include <stdlib.h>

#include "routprotd/event_queue.h"

struct rp_queued_event {
	struct rp_queued_event *next;
	enum rp_event_type type;
	union rp_message message;
};

void rp_event_queue_init(struct rp_event_queue *q)
{
	q->head = q->tail = NULL;
	q->count = 0;
}

bool rp_event_queue_post(struct rp_event_queue *q, enum rp_event_type type,
			 const union rp_message *message)
{
	struct rp_queued_event *e = calloc(1, sizeof(*e));

	if (!e)
		return false;
	e->type = type;
	if (message)
		e->message = *message;
	if (q->tail)
		q->tail->next = e;
	else
		q->head = e;
	q->tail = e;
	q->count++;
	return true;
}

enum rp_result rp_event_queue_pop(struct rp_event_queue *q, enum rp_event_type *type,
				  union rp_message *message)
{
	struct rp_queued_event *e = q->head;

	if (!e)
		return ERROR_NO_MORE_ITEMS;
	q->head = e->next;
	if (!q->head)
		q->tail = NULL;
	q->count--;
	*type = e->type;
	*message = e->message;
	free(e);
	return NO_ERROR;
}

void rp_event_queue_clear(struct rp_event_queue *q)
{
	enum rp_event_type type;
	union rp_message msg;

	while (rp_event_queue_pop(q, &type, &msg) == NO_ERROR)
		;
}
