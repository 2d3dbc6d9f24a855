// SPDX-License-Identifier: GPL-2.0
/* PCI_IRQ_INTX, pci_alloc_irq_vectors()' INTx flag: 6.12, 7.3; 6.1 PCI_IRQ_LEGACY. */
#include <linux/pci.h>

static unsigned int __maybe_unused probe(void)
{
	return PCI_IRQ_INTX;
}
