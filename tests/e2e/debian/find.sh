# find over the host's /usr/share/doc (read through the sandbox's root).
. "$(dirname "$0")/lib.bash"
find /usr/share/doc -name '*.gz' | wc -l
find /usr/share/doc -maxdepth 1 -type d | wc -l
find /usr/share/doc -type l | wc -l
find /usr/share/doc -name 'copyright' -size +1k | wc -l
# Contents too (of the first 300 in name order, to keep the case short).
find /usr/share/doc -name '*.gz' | sort | head -n 300 | xargs cat | md5sum
find /usr/share/doc/bash -newer /usr/share/doc -o -print | sort | head -5
