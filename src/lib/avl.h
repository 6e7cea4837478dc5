/* SPDX-License-Identifier: ISC */
/*
 * avl.h — an intrusive balanced binary search tree (AVL): ordered maps for large tables (RIP
 * routes, the router manager's route table) with O(log n) insert, delete, lookup and successor
 * queries, and in-order walks that survive deletion of the current node via avl_next().
 * The node lives inside the caller's struct; the tree never allocates.
 */
#ifndef ROUTPROTD_LIB_AVL_H
#define ROUTPROTD_LIB_AVL_H

#include <stddef.h>

struct avl_node {
	struct avl_node *left, *right, *parent;
	int height;
};

/* <0, 0, >0 as a is before, equal to, after b. */
typedef int (*avl_cmp_fn)(const struct avl_node *a, const struct avl_node *b);

struct avl_tree {
	struct avl_node *root;
	avl_cmp_fn cmp;
	size_t count;
};

void avl_init(struct avl_tree *t, avl_cmp_fn cmp);
/* Inserts `n`; returns NULL, or the existing equal node (then `n` is not inserted). */
struct avl_node *avl_insert(struct avl_tree *t, struct avl_node *n);
void avl_remove(struct avl_tree *t, struct avl_node *n);
/* The node equal to `key` (a node of the same type used only for comparison), or NULL. */
struct avl_node *avl_find(const struct avl_tree *t, const struct avl_node *key);
/* The first node strictly after `key` in order (key need not be in the tree), or NULL. */
struct avl_node *avl_find_after(const struct avl_tree *t, const struct avl_node *key);
struct avl_node *avl_first(const struct avl_tree *t);
struct avl_node *avl_next(const struct avl_node *n);

#define avl_entry(ptr, type, member) ((type *)((char *)(ptr) - offsetof(type, member)))

#endif
