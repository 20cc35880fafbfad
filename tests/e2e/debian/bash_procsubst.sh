# bash's process substitution (<(...) and >(...), read through /dev/fd/N)
# feeding diff, read loops, mapfile and tee.
. "$(dirname "$0")/lib.bash"
need_proc_fd_open
diff <(printf '%s\n' a b c) <(printf '%s\n' a B c)
echo "diff status $?"
n=0 total=0
while read -r v; do n=$((n + 1)); total=$((total + v)); done < <(seq 1 100)
echo "read loop $n lines, total $total"
mapfile -t lines < <(printf 'l%d\n' 1 2 3)
echo "mapfile ${#lines[@]}: ${lines[*]}"
seq 1 5 | tee >(awk '{ s += $1 } END { print "tee sum", s }' >sum.txt) >/dev/null
wait $!
cat sum.txt
paste <(seq 1 3) <(seq 4 6) <(echo a; echo b; echo c)
comm -12 <(printf '%s\n' a b c d | sort) <(printf '%s\n' b d e | sort)
