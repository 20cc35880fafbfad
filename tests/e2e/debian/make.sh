# make -j2 over a small tree: several .c files, a static library, header
# dependencies (gcc -MMD), a generated header; then `make` has nothing to
# do, and touching one source rebuilds only what depends on it.
. "$(dirname "$0")/lib.bash"
need make gcc ar
mkdir -p src lib include
cat >Makefile <<'MK'
CFLAGS = -O1 -Wall -Iinclude -Igen -MMD -MP
LIBOBJS = lib/add.o lib/mul.o lib/str.o
OBJS = src/main.o src/report.o

app: $(OBJS) lib/libcalc.a
	$(CC) -o $@ $(OBJS) -Llib -lcalc

lib/libcalc.a: $(LIBOBJS)
	$(AR) rcs $@ $^

gen/version.h: VERSION
	mkdir -p gen
	echo "#define VERSION \"$$(cat VERSION)\"" > $@

src/report.o: gen/version.h

%.o: %.c
	$(CC) $(CFLAGS) -c -o $@ $<

clean:
	rm -rf app gen $(OBJS) $(LIBOBJS) lib/libcalc.a */*.d
.PHONY: clean
-include $(OBJS:.o=.d) $(LIBOBJS:.o=.d)
MK
echo 1.2.3 >VERSION
cat >include/calc.h <<'C'
int add(int a, int b);
int mul(int a, int b);
void upcase(char* s);
C
cat >lib/add.c <<'C'
#include "calc.h"
int add(int a, int b) { return a + b; }
C
cat >lib/mul.c <<'C'
#include "calc.h"
int mul(int a, int b) { int r = 0; for (int i = 0; i < b; i++) r = add(r, a); return r; }
C
cat >lib/str.c <<'C'
#include <ctype.h>
#include "calc.h"
void upcase(char* s) { for (; *s; s++) *s = (char)toupper((unsigned char)*s); }
C
cat >include/report.h <<'C'
void report(const char* what, int v);
C
cat >src/report.c <<'C'
#include <stdio.h>
#include "report.h"
#include "version.h"
void report(const char* what, int v) { printf("[%s] %s = %d\n", VERSION, what, v); }
C
cat >src/main.c <<'C'
#include <stdio.h>
#include "calc.h"
#include "report.h"
int main(void) {
  char s[] = "make works";
  upcase(s);
  report("add", add(20, 22));
  report("mul", mul(6, 7));
  printf("%s\n", s);
  return 0;
}
C
# make's own lines (the commands, in -j2's order, which may interleave):
# sorted, since the order of independent jobs is the scheduler's.
echo "== make -j2"
make -j2 2>&1 | sort
echo "status ${PIPESTATUS[0]}"
./app
echo "== make again"
make 2>&1
echo "== touch lib/add.c"
# Make compares mtimes (in nanoseconds): a touch now is newer than every
# object built before it.
touch lib/add.c
make -j2 2>&1 | sort
echo "== touch include/report.h"
touch include/report.h
make -j2 2>&1 | sort
echo "== new VERSION"
echo 2.0 >VERSION
make -j2 2>&1 | sort
./app
echo "== make -q, then clean"
make -q; echo "up to date: $?"
make clean >/dev/null && ls -R | sort
