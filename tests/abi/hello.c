/* hello.c: the smallest program: one line on stdout and exit status 0. */
#include <stdio.h>

int main(void)
{
	puts("hello, world");
	return 0;
}
