# gcc hello.c && ./a.out, plus a second program with -O2 and libm.
. "$(dirname "$0")/lib.bash"
need gcc
cat >hello.c <<'C'
#include <stdio.h>
int main(void) {
  printf("hello, world\n");
  return 0;
}
C
gcc hello.c && ./a.out
echo "status $?"
cat >m.c <<'C'
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
static int cmp(const void* a, const void* b) { return *(const int*)a - *(const int*)b; }
int main(int argc, char** argv) {
  int v[1000];
  unsigned s = 12345;
  for (int i = 0; i < 1000; i++) v[i] = (int)((s = s * 1103515245u + 12345u) >> 16) % 1000;
  qsort(v, 1000, sizeof v[0], cmp);
  double r = 0;
  for (int i = 0; i < 1000; i++) r += sqrt(v[i]);
  printf("%d %d %d %.6f %s\n", v[0], v[500], v[999], r, argc > 1 ? argv[1] : "-");
  return strlen(argv[0]) > 0 ? 0 : 1;
}
C
gcc -O2 -Wall -Werror -o m m.c -lm && ./m arg
echo "status $?"
