# coreutils over a tree: ls -la, cp -a, mv, ln -s, readlink -f, du, stat
# -c, touch -d, mktemp, dd, truncate, install, chmod -R, realpath, sed -i.
#
# Natively $W is on the host's /tmp (here ext4), sandboxed on the
# sandbox's tmpfs: a directory's st_size and blocks are the filesystem's
# own (4096 on ext4, a count of entries on tmpfs), so they are not
# printed; regular files and symlinks are compared in full.
. "$(dirname "$0")/lib.bash"
umask 022
mkdir -p t/a/b t/c
printf 'alpha\n' >t/a/one
printf 'beta beta\n' >t/a/b/two
seq 1 1000 >t/c/nums
ln -s a/one t/sym
ln -s ../../c/nums t/a/b/rel
ln -s /nonexistent t/dangling
ln t/a/one t/a/hard
chmod 0750 t/a/b
chmod 0604 t/c/nums
# Fixed times on everything (ls shows them; -h for the links themselves).
find t -exec touch -h -d '2021-02-03 04:05:06.123456789' {} +

# ls -l FIELDS: mode, links, owner, group, size (not a directory's),
# time, name.
lsl() {
  ls -la --time-style='+%Y-%m-%d %H:%M:%S.%N' "$@" |
    awk '$1 == "total" { next } { if ($1 ~ /^d/) $5 = "-"; $1 = $1; print }'
}
# t's own `..` is $W, made now: -A for t.
echo "== ls -la"; lsl -A t; lsl t/a t/a/b
echo "== ls -laR sorted by size, then by time"; ls -RS t | tail -n +1; ls -t --full-time t/a | awk 'NR > 1 { print $NF }'
echo "== stat -c"
# Not atimes (%X): reading a symlink or file may update them (relatime),
# and %W, the birth time, is when the file was made (now).
stat -c '%n %A %a %h %U %G %s %F %Y' t/a/one t/a/hard t/sym t/dangling t/c/nums
stat -L -c '%n %s %F' t/sym t/a/b/rel
stat -c '%n %A %h %U %G %F %Y' t t/a t/a/b
echo "== readlink / realpath"
readlink t/sym t/a/b/rel
readlink -f t/sym t/a/b/rel t/a/b/../../c/./nums | norm
readlink -m t/dangling/x/.. t/no/such/../file | norm
readlink -e t/dangling; echo "readlink -e dangling: $?"
realpath --relative-to=t/a/b t/c/nums t/sym
echo "== cp -a"
cp -a t t2
diff -r --no-dereference t t2 && echo "same contents"
(cd t && find . -printf '%p %y %m %n %TY-%Tm-%Td+%TT %l\n' | sort) >t.lst
(cd t2 && find . -printf '%p %y %m %n %TY-%Tm-%Td+%TT %l\n' | sort) >t2.lst
diff t.lst t2.lst && echo "same modes, times, links"; cat t2.lst
echo "== cp, cp -r, cp -u, cp --sparse"
cp t/a/one t/a/copy && cp -p t/a/one t/a/copyp && stat -c '%n %a %Y' t/a/copyp
cp -r t/a t/a-r && ls t/a-r | tr '\n' ' '; echo
cp -u t/a/one t/a/copyp; echo "cp -u $?"
echo "== mv"
mv t/a/copy t/c/moved && ls t/a t/c | tr '\n' ' '; echo
mv t/a-r t/c/ && ls -d t/c/a-r
mv -n t/c/moved t/a/one; cat t/a/one
mv -T t/c/a-r t/renamed && find t/renamed | sort | tr '\n' ' '; echo
mv t/renamed/b/two t/renamed/b/TWO && ls t/renamed/b
echo "== ln"
ln -s a t/lnk && ls -l t/lnk | awk '{ print $1, $(NF - 2), $(NF - 1), $NF }'
ln -sf c t/lnk && readlink t/lnk
ln -sfn c t/lnk && readlink t/lnk
ln -sr t/c/nums t/a/relnums && readlink t/a/relnums
ln t/a/one t/a/hard2 2>&1; stat -c '%h' t/a/one
ln t/a t/dirlink 2>&1 | sed 's/^ln: //'
echo "== du (regular files only; see above)"
dd if=/dev/zero of=sparse bs=1 count=1 seek=1048575 status=none
dd if=/dev/zero of=dense bs=64k count=16 status=none
# The sparse file's blocks (4 KiB on Linux, ext4 or tmpfs) are not
# compared yet: the sandbox's tmpfs counts every page up to the size
# (no holes; its page accounting is being reworked with fallocate).
du -k dense t/c/nums
du -b --apparent-size sparse dense t/c/nums
du -sk --apparent-size --exclude='*' t/c/nums
echo "== touch -d"
touch -d '2001-09-09 01:46:40 UTC' stamp && stat -c '%Y %y' stamp
touch -d @1234567890.5 stamp && stat -c '%Y %y' stamp
touch -m -d '1 Jan 2000 12:00' stamp && stat -c '%Y' stamp
touch -a -t 199901010000.30 stamp && stat -c '%X %Y' stamp
touch -r t/a/one stamp && stat -c '%Y' stamp
touch -h -d @1000000000 t/sym && stat -c '%Y' t/sym && stat -L -c '%Y' t/sym
touch -c nothere; ls nothere 2>&1 | sed 's/^ls: //'
echo "== mktemp"
f=$(mktemp) && g=$(mktemp -d) && h=$(mktemp -p "$W" x.XXXXXXXX.suf)
stat -c '%a %F' "$f" "$g" "$h"
echo "$f $g $h" | norm | sed 's/tmp\.[A-Za-z0-9]\{10\}/tmp.R/g; s/x\.[A-Za-z0-9]\{8\}\.suf/x.R.suf/'
mktemp -u | grep -c "^$W/tmp\."
echo "== dd"
seq 1 20000 >in
dd if=in of=out1 bs=4096 2>&1 | head -n 2
dd if=in of=out2 bs=1000 skip=3 count=5 2>&1 | head -n 2
dd if=in of=out2 bs=1 seek=10 count=10 conv=notrunc status=none
dd if=in bs=7 count=3 iflag=count_bytes status=none | od -c | head -n 2
dd if=/dev/urandom of=rnd bs=1k count=64 iflag=fullblock status=none && stat -c '%s' rnd
dd if=in of=out3 bs=512 conv=sync,fsync status=none && stat -c %s out3
md5sum out1 out2 out3 | norm
cmp in out1 && echo "dd copy same"
echo "== truncate, install, chmod -R, sed -i"
truncate -s 10k big && truncate -s -1k big && truncate -s +5 big && stat -c '%s' big
truncate -s 3 t/c/nums && od -c t/c/nums | head -n 1
install -m 0741 -D t/a/one inst/x/y/one && stat -c '%n %a' inst/x/y/one inst/x/y
install -d -m 0700 inst/d && stat -c '%a' inst/d
chmod -R go-rwx inst && find inst -printf '%p %m\n' | sort
chmod u+s,g+s inst/x/y/one && stat -c '%A' inst/x/y/one
seq 1 5 >s.txt && sed -i.bak -e 's/3/three/' -e '/5/d' s.txt && cat s.txt s.txt.bak | tr '\n' ' '; echo
ls -l s.txt* | awk '{ print $1, $NF }'
echo "== rm"
rm -r t t2 inst && ls | sed 's/^tmp\.[A-Za-z0-9]\{10\}$/tmp.R/; s/^x\.[A-Za-z0-9]\{8\}\.suf$/x.R.suf/'
rm nothere 2>&1
rm -f nothere; echo "rm -f $?"
mkdir -p e/f && rmdir e 2>&1 | sed 's/^rmdir: //'; rmdir -p e/f; ls -d e 2>&1; echo "end"
