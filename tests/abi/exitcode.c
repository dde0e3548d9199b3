/* exitcode.c: exits with the status given as argv[1], through exit() after stdio output. */
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: exitcode STATUS\n");
		return 2;
	}
	printf("exiting with %d\n", atoi(argv[1]));
	exit(atoi(argv[1]));
}
