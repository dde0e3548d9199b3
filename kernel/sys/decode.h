/* Symbolic names for --strace and messages: flags, signals, errno values, escaped strings. */
#pragma once
#include "kernel/lib.h"

void decode_char(struct strbuf *sb, unsigned char c, unsigned char next);
void decode_open_flags(struct strbuf *sb, long flags);
void decode_prot(struct strbuf *sb, long prot);
void decode_map_flags(struct strbuf *sb, long flags);
void decode_signal(struct strbuf *sb, int sig);
void decode_ioctl(struct strbuf *sb, unsigned long req);
void decode_arch_prctl(struct strbuf *sb, int code);
void decode_json_string(struct strbuf *sb, const char *s);
const char *signal_name(int sig);
const char *errno_name(long err);
const char *errno_text(long err);
