/* The 16550 UARTs: COM1 carries the program's stdin and stdout, COM2 its stderr, COM3 the
 * records the launcher reads and COM4 --strace=FILE's lines. Polled. */
#include "plat/vm/vm.h"

#define THR 0
#define IER 1
#define FCR 2
#define LCR 3
#define MCR 4
#define LSR 5
#define LSR_DATA 0x01
#define LSR_THRE 0x20

static void uart_init(uint16_t port)
{
	outb(port + IER, 0);
	outb(port + LCR, 0x80); /* divisor latch: 115200 baud */
	outb(port + 0, 1);
	outb(port + 1, 0);
	outb(port + LCR, 0x03); /* 8N1 */
	outb(port + FCR, 0x07);
	outb(port + MCR, 0x03);
}

void serial_init(void)
{
	uart_init(COM_OUT);
	uart_init(COM_ERR);
	uart_init(COM_STATUS);
	uart_init(COM_TRACE);
}

void serial_write(uint16_t port, const char *buf, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		/* QEMU clears THRE while its chardev cannot take the byte (a pipe whose reader is
		 * slow): wait as long as that takes, as a write to a full pipe does. It drops bytes
		 * itself when the chardev fails, and a port with no UART reads 0xff. */
		while (!(inb(port + LSR) & LSR_THRE))
			__asm__ volatile("pause");
		outb(port + THR, (uint8_t)buf[i]);
	}
}

bool serial_readable(void)
{
	return inb(COM_OUT + LSR) & LSR_DATA;
}

int serial_getc(void)
{
	return serial_readable() ? inb(COM_OUT + THR) : -1;
}
