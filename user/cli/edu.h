/* SPDX-License-Identifier: GPL-2.0 */
/*
 * QEMU's edu device (PCI 1234:11e8) as "mmapdemo edu" and the tour drive
 * it from user space: the registers of its BAR 0 (QEMU's
 * docs/specs/edu.rst), which take 32-bit accesses only.
 */
#ifndef MMAPDEMO_EDU_H
#define MMAPDEMO_EDU_H

#include <stdint.h>

#define EDU_VENDOR 0x1234
#define EDU_DEVICE 0x11e8
#define EDU_ID 0x00
#define EDU_LIVENESS 0x04	/* reads back the complement of the last write */
#define EDU_FACTORIAL 0x08
#define EDU_STATUS 0x20
#define EDU_STATUS_COMPUTING 0x01u
/* The factorial register is 32 bits wide: 12! is the last that fits. */
#define EDU_FACTORIAL_MAX 12

static inline uint32_t edu_read(volatile uint32_t *regs, unsigned int off)
{
	return regs[off / 4];
}

static inline void edu_write(volatile uint32_t *regs, unsigned int off,
			     uint32_t v)
{
	regs[off / 4] = v;
}

#endif /* MMAPDEMO_EDU_H */
