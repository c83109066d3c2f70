#include <libserialport.h>

// RS-485 direction control (TIOCGRS485/TIOCSRS485 with struct serial_rs485) for the serial backends.
// ioctl is variadic, which Swift cannot call, so the two requests are wrapped here. Any serial
// file descriptor works: libserialport's (sp_get_port_handle) or a termios one.
#include <sys/ioctl.h>
#include <linux/serial.h>

/// Reads the port's RS-485 settings. Returns 0, or -1 with errno (ENOTTY: the driver has no RS-485).
static inline int stow_serial_get_rs485(int fd, struct serial_rs485 *settings) {
    return ioctl(fd, TIOCGRS485, settings);
}

/// Applies RS-485 settings; the kernel writes back what it actually applied.
/// Returns 0, or -1 with errno (ENOTTY: the driver has no RS-485).
static inline int stow_serial_set_rs485(int fd, struct serial_rs485 *settings) {
    return ioctl(fd, TIOCSRS485, settings);
}

// The flag bits of struct serial_rs485, as constants Swift can see.
static const unsigned int STOW_SER_RS485_ENABLED = SER_RS485_ENABLED;
static const unsigned int STOW_SER_RS485_RTS_ON_SEND = SER_RS485_RTS_ON_SEND;
static const unsigned int STOW_SER_RS485_RTS_AFTER_SEND = SER_RS485_RTS_AFTER_SEND;
static const unsigned int STOW_SER_RS485_RX_DURING_TX = SER_RS485_RX_DURING_TX;
