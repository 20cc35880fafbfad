# tar czf then tar xzf and diff -r; tar cJf/xJf when xz is installed.
. "$(dirname "$0")/lib.bash"
need tar gzip
mkdir -p src/a/b src/empty
awk 'BEGIN { for (i = 1; i <= 50; i++) { f = "src/a/f" i ".txt"; for (j = i; j <= i * 40; j++) print j >f; close(f) } }'
head -c 200000 /dev/zero | tr '\0' 'z' >src/a/b/big
ln -s ../f1.txt src/a/b/link
ln src/a/f2.txt src/a/hard
chmod 0640 src/a/f3.txt
chmod 0755 src/a/f4.txt
touch -d @1600000000 src/a/f5.txt
tar czf src.tar.gz src && echo "czf $?"
gzip -t src.tar.gz && echo "gzip -t $?"
mkdir out && tar xzf src.tar.gz -C out && echo "xzf $?"
diff -r src out/src && echo "diff -r same"
tar tzvf src.tar.gz --numeric-owner | awk '{ print $1, $3, $6, $7, $8 }' | sort -k5
stat -c '%n %a %h' out/src/a/f3.txt out/src/a/f4.txt out/src/a/hard
stat -c '%n %a %Y' out/src/a/f5.txt
if have xz; then
  tar cJf src.tar.xz src && echo "cJf $?"
  mkdir outx && tar xJf src.tar.xz -C outx && echo "xJf $?"
  diff -r src outx/src && echo "diff -r xz same"
  xz -l src.tar.xz >/dev/null && echo "xz -l ok"
fi
# A file changing under tar, an append, an extract of one member.
tar cf plain.tar -C src a/f1.txt && tar rf plain.tar -C src a/f2.txt && tar tf plain.tar
tar xOf plain.tar a/f2.txt | md5sum
