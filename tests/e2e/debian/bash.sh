# A bash script: here-docs, traps (EXIT, ERR, a signal sent to itself),
# arrays and associative arrays, subshells, `read` loops, `wait`, a
# coprocess. Process substitution is bash_procsubst's.
. "$(dirname "$0")/lib.bash"
cat >script.bash <<'SCRIPT'
#!/bin/bash
set -u
trap 'echo "EXIT trap, status $?"' EXIT
trap 'echo "ERR trap at line $LINENO: $BASH_COMMAND"' ERR
trap 'echo "got USR1"; usr1=$((usr1 + 1))' USR1
trap 'echo "got TERM"' TERM
usr1=0

# here-docs: expanded, quoted, tab-stripped, here-string.
name=world
cat <<EOT
hello $name $((6 * 7)) $(echo subst)
EOT
cat <<'EOT'
literal $name $(not run)
EOT
cat <<-EOT
	tab-stripped $name
	EOT
tr a-z A-Z <<<"here-string $name"

# arrays and associative arrays.
a=(zero one "two words" three)
a+=(four)
echo "len ${#a[@]} third '${a[2]}' slice ${a[@]:1:2} last ${a[-1]}"
unset 'a[1]'
echo "indices ${!a[*]}"
declare -A m=([apple]=red [banana]=yellow [cherry]=dark\ red)
m[date]=brown
for k in $(printf '%s\n' "${!m[@]}" | sort); do echo "  $k => ${m[$k]}"; done
echo "count ${#m[@]} has-apple ${m[apple]+yes} has-kiwi ${m[kiwi]-no}"
s="The Quick Brown Fox"
echo "${s,,} ${s^^} ${s// /_} ${s#* } ${s%% *} ${#s} ${s:4:5}"
printf -v padded '%05d|%-6s|%x' 42 ab 255; echo "$padded"

# signals sent to itself, handled by traps; a return status through ERR.
kill -USR1 $$
kill -s USR1 $$
kill -TERM $$
echo "usr1 handled $usr1 times"
false || echo "false handled, no ERR"
(exit 3)
echo "after subshell exit: $?"

# subshells: variables do not leak out; exit statuses come back.
x=outer
(x=inner; echo "in subshell $x"; exit 7); echo "subshell status $? x=$x"
y=$(x=cmdsubst; echo "$x"); echo "cmd subst $y x=$x"
{ x=group; }; echo "group x=$x"
echo "pipe status: $(false | true; echo "${PIPESTATUS[@]}")"

# read loops: from a file, a here-doc, a pipe into a subshell.
while IFS=: read -r user _ uid gid _; do
  [[ $uid == 0 ]] && echo "passwd uid 0: $user gid $gid"
done </etc/passwd
n=0; total=0
seq 1 100 >numbers
while read -r v; do n=$((n + 1)); total=$((total + v)); done <numbers
echo "read loop $n lines, total $total"
seq 1 10 | { s=0; while read -r v; do s=$((s + v)); done; echo "piped loop $s"; }
while read -r k v; do echo "pair $k=$v"; done <<EOT
one 1
two 2
EOT
mapfile -t lines <numbers
echo "mapfile ${#lines[@]}: ${lines[*]:0:3}"
IFS=, read -ra parts <<<"x,y,,z"
echo "split ${#parts[@]}: ${parts[*]}"

# background jobs and wait, with statuses.
( sleep 0.2; exit 4 ) & p1=$!
( sleep 0.1; exit 5 ) & p2=$!
sleep 0.3 & p3=$!
wait $p1; echo "job1 status $?"
wait $p2; echo "job2 status $?"
wait; echo "all waited $?"
for i in 1 2 3; do (echo "worker $i" >"w$i") & done
wait
cat w1 w2 w3
coproc BC { while read -r l; do echo "got:$l"; done; }
# bash unsets BC and BC_PID once it reaps the coprocess: keep copies.
bc_pid=$BC_PID bc_in=${BC[1]}
echo ping >&"$bc_in"; read -r reply <&"${BC[0]}"; echo "coproc $reply"
exec {bc_in}>&-
wait "$bc_pid"; echo "coproc done"

# functions, local, recursion, return status.
fact() { local n=$1; ((n <= 1)) && { echo 1; return; }; echo $((n * $(fact $((n - 1))))); }
echo "fact 10 = $(fact 10)"
f() { return 9; }
f; echo "function status $?"
# A trap on a failing command: ERR fires, then set -e in a subshell ends it.
( set -e; trap 'echo "inner ERR"' ERR; false; echo "not reached" ); echo "set -e subshell $?"
exit 6
SCRIPT
bash script.bash
echo "script status $?"
