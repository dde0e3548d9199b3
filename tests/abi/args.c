/* args.c: prints argc, every argv string and a few environment variables. */
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
	static const char *const vars[] = { "ELFIN_TEST_A", "ELFIN_TEST_EMPTY", "ELFIN_TEST_UNSET", "LC_ALL" };

	printf("argc=%d\n", argc);
	/* argv[0] is the path the driver chose, identical in both runs. */
	for (int i = 0; i < argc; i++)
		printf("argv[%d]=[%s]\n", i, argv[i]);
	if (argv[argc] != NULL) {
		fprintf(stderr, "argv[argc] is not NULL\n");
		return 1;
	}
	for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++) {
		const char *v = getenv(vars[i]);
		printf("%s=%s%s%s\n", vars[i], v ? "[" : "", v ? v : "(unset)", v ? "]" : "");
	}
	return 0;
}
