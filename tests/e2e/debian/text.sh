# Text tools: sort (in memory and with temporary files), uniq, awk, sed,
# grep -r, xargs -P2, cut/paste/join/comm/tr/wc, checksums, base64, gzip
# and xz round trips, diff and patch.
. "$(dirname "$0")/lib.bash"
# A deterministic corpus: words and numbers from an LCG.
awk 'BEGIN { s = 42; for (i = 0; i < 20000; i++) { s = (s * 1103515245 + 12345) % 2147483648;
  printf "%s%d %d %s\n", substr("abcdefghijklmnopqrstuvwxyz", s % 26 + 1, 1 + s % 3), s % 97, s % 1000, (s % 7 ? "x" : "y") } }' >corpus
wc corpus
echo "== sort"
sort corpus | md5sum
sort -k2,2n -k1,1 corpus | head -n 3
sort -u -k1,1 corpus | wc -l
sort -rn -k2 corpus | head -n 2
# A small buffer so sort spills to temporary files in $TMPDIR and merges.
sort -S 64k -T "$W" --parallel=2 corpus | md5sum
sort -c corpus 2>&1 | sed 's/^sort: //'
sort corpus >sorted && sort -c sorted && echo "sorted ok"
sort -m sorted sorted | wc -l
sort -t ' ' -k3,3 -s corpus | head -n 2
printf '%s\n' 10 9 1e3 2K 1M 0x10 | sort -h | tr '\n' ' '; echo
printf '%s\n' v1.10 v1.2 v1.9 | sort -V | tr '\n' ' '; echo
echo "== uniq"
cut -d' ' -f1 sorted | uniq -c | sort -rn -k1,1 -k2 | head -n 5
cut -d' ' -f1 sorted | uniq -d | wc -l
cut -d' ' -f1 sorted | uniq -u | wc -l
echo "== awk"
awk '{ n[$3]++; s[$3] += $2 } END { for (k in n) printf "%s %d %d\n", k, n[k], s[k] }' corpus | sort
awk -F' ' 'NR % 5000 == 0 { print NR, $0, length($1), toupper($1) }' corpus
awk 'BEGIN { printf "%.3f %d %s %e\n", atan2(1, 1) * 4, int(-3.7), substr("hello", 2, 3), 12345.678; x = "a,b,c"; n = split(x, p, ","); print n, p[3] }'
awk '$2 > 990 { c++ } END { print c + 0 }' corpus
echo "== sed"
sed -n '100,103p' corpus
sed -e 's/\([a-z]*\)\([0-9]*\) /\2:\1 /' -e '5q' corpus
sed -E '/x$/d; s/^(.)/[\1]/' corpus | head -n 3
sed '1~4000!d' corpus
printf 'a\nb\nc\n' | sed -e '1i\' -e 'top' -e '$a\' -e 'end' -e '2c\' -e 'B'
echo "== grep"
mkdir -p g/sub/deep
for i in 1 2 3; do sed -n "$((i * 10)),$((i * 10 + 50))p" corpus >g/f$i; cp g/f$i g/sub/deep/d$i.txt; done
printf 'bin\0ary a10\n' >g/bin.dat
grep -r 'a10 ' g | sort
grep -rl 'y$' g | sort
grep -rc --include='*.txt' ' 5' g | sort
grep -rn -w -E 'b[0-9]+' g/sub | sort | head -n 3
grep -c -v x corpus
grep -o '[0-9]\+ y' corpus | head -n 3
grep -q zzz corpus; echo "grep -q miss $?"
grep -r -L 'x$' g | sort
echo "== xargs"
seq 1 40 | xargs -n 5 echo | tail -n 2
seq 1 40 | xargs -P2 -n 4 sh -c 'echo "$(($1 + $2 + $3 + $4))"' sh | sort -n | tr '\n' ' '; echo
find g -type f -print0 | xargs -0 -P2 -n1 wc -l | sort -k2
printf 'a b\nc\n' | xargs -I{} echo "[{}]"
seq 1 5 | xargs -P2 -n1 sh -c 'exit $(($1 == 3 ? 7 : 0))' sh; echo "xargs status $?"
echo "== cut, paste, join, comm, tr, wc, head, tail, tac, nl, fold, od, split"
cut -c1-4 corpus | head -n 2
cut -d' ' -f2,4 --output-delimiter=: corpus | head -n 2
seq 1 3 >p1 && seq 4 6 >p2 && paste -d, p1 p2 && paste -s p1
printf '1 a\n2 b\n3 c\n' >j1 && printf '1 x\n3 z\n4 w\n' >j2 && join j1 j2 && join -v2 j1 j2
printf 'a\nb\nc\n' >c1 && printf 'b\nc\nd\n' >c2 && comm c1 c2 | od -c | head -n 2
echo 'Hello, World' | tr -s 'lo' | tr 'a-zA-Z' 'n-za-mN-ZA-M' && echo 'a1b22' | tr -d '0-9' && echo 'aaa' | tr -c 'a' 'x'
head -c 100 corpus | wc -c && tail -n 2 corpus && tail -c 20 corpus | od -An -c | head -n 1
tac p1 | tr '\n' ' ' && nl -ba p2 | tr '\t' '|' && echo 'abcdefghij' | fold -w 3
split -l 7000 -d corpus part. && wc -l part.* && cat part.* | cmp - corpus && echo "split rejoined"
echo "== checksums, base64"
md5sum corpus | norm; sha1sum corpus | cut -c1-40; sha256sum corpus | cut -c1-64; sha512sum corpus | cut -c1-32; b2sum corpus | cut -c1-32
cksum corpus; sum corpus
sha256sum corpus sorted >sums && sha256sum -c sums
base64 corpus | md5sum && base64 corpus | base64 -d | cmp - corpus && echo "base64 round trip"
printf 'hello\0\377' | base64 && echo aGVsbG8AIA== | base64 -d | od -An -c
base32 p1
echo "== gzip, xz"
gzip -c corpus >corpus.gz && gzip -l corpus.gz | awk 'NR == 2 { print $1, $2 }'
zcat corpus.gz | cmp - corpus && echo "gzip round trip"
gzip -9 -k -n sorted && gunzip -c sorted.gz | md5sum && md5sum sorted.gz | norm
if have xz; then
  xz -k -T1 corpus && xz -dc corpus.xz | cmp - corpus && echo "xz round trip"
  xz -t corpus.xz && xz -l --robot corpus.xz | awk '$1 == "totals" { print $2, $3, $5 }'
  xz -9e -k -c p1 | xz -d
fi
echo "== diff, patch"
cp corpus new && sed -i '50s/.*/CHANGED/; 1000d; 15000a\
ADDED' new
diff -u corpus new | sed 's/^\(---\|+++\) \([^ \t]*\).*/\1 \2/' | tee d.patch | head -n 12
patch -s -o patched corpus d.patch && cmp patched new && echo "patched"
patch -s -R -o back new d.patch && cmp back corpus && echo "reversed"
cmp corpus new | sed 's/^corpus new/X/'
echo "end"
