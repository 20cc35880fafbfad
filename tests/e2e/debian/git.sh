# git init / add / commit / log, branch, diff, status, merge, tag: fixed
# names and dates, so the commit hashes are the same natively and
# sandboxed.
. "$(dirname "$0")/lib.bash"
need git
export GIT_CONFIG_NOSYSTEM=1 GIT_AUTHOR_NAME=Ada GIT_AUTHOR_EMAIL=ada@example.com
export GIT_COMMITTER_NAME=Ada GIT_COMMITTER_EMAIL=ada@example.com
d=0
at() { d=$((d + 60)); export GIT_AUTHOR_DATE="@$((1700000000 + d)) +0000" GIT_COMMITTER_DATE="@$((1700000000 + d)) +0000"; }
git init -q -b main repo && cd repo || exit 1
git config core.autocrlf false
printf 'line %d\n' 1 2 3 4 5 >a.txt
mkdir dir && echo nested >dir/b.txt
git add -A && at && git commit -q -m "first"
git status --short
git log --oneline
echo change >>a.txt && rm dir/b.txt && echo new >c.txt
git status --short
git diff --stat
git diff a.txt
git add -A && at && git commit -q -m "second: change, delete, add"
git branch feature && git checkout -q feature
sed -i 's/line 3/LINE THREE/' a.txt && at && git commit -qam "feature edit"
git checkout -q main
echo more >>c.txt && at && git commit -qam "main edit"
at && git merge -q --no-edit feature
git tag -a v1 -m "tag one"
git log --graph --format='%h %an %ad %s' --date=iso-strict-local
git branch -v
git show --stat --format='%H%n%T%n%s' HEAD~1
git diff v1~2 v1 --numstat
git rev-list --count HEAD
git cat-file -p HEAD | sed 's/^/  /'
git ls-files -s
git gc -q --prune=now && git count-objects -v | grep -E '^(count|in-pack|packs)'
git fsck --full 2>&1 && echo fsck ok
cd .. && git clone -q repo clone && git -C clone log --format=%H -1 && git -C clone status --short --branch
