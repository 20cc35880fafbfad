# perl -e: hashes, regexes, sprintf, sort, file I/O.
. "$(dirname "$0")/lib.bash"
need perl
perl -e '
use strict; use warnings;
my %h; my $text = join " ", map { ("alpha", "beta", "gamma")[$_ % 3] . ($_ % 5) } 1 .. 200;
$h{$_}++ for split / /, $text;
for my $k (sort { $h{$b} <=> $h{$a} or $a cmp $b } keys %h) { printf "%-8s %3d %5.1f%%\n", $k, $h{$k}, 100 * $h{$k} / 200 }
my @dates = ("2023-11-14", "1999-01-31", "2010-07-04");
for (sort @dates) { if (/^(\d{4})-(\d\d)-(\d\d)$/) { printf "%02d/%02d/%04d\n", $3, $2, $1 } }
(my $s = "The quick brown fox") =~ s/(\w+)/\u\L$1/g; print "$s\n";
my @w = ("x" x 3) =~ /(x)/g; print scalar(@w), "\n";
print join(",", sort { $a <=> $b } (10, 9, 100, 1, -5)), "\n";
print join(",", reverse sort map { lc } qw(B a C d)), "\n";
open(my $fh, ">", "out.txt") or die; print $fh "$_ ", $_ ** 2, "\n" for 1 .. 10; close $fh;
open($fh, "<", "out.txt") or die; my $sum = 0; while (<$fh>) { chomp; my ($a, $b) = split; $sum += $b } close $fh;
printf "sum %d size %d lines %d\n", $sum, -s "out.txt", scalar(() = `cat out.txt`);
open($fh, ">>", "out.txt") or die; print $fh "appended\n"; close $fh;
open($fh, "<", "out.txt") or die; my @l = <$fh>; close $fh; print "last: $l[-1]";
my %nested = (list => [1, [2, 3]], map => { k => "v" });
print "nested $nested{list}[1][1] $nested{map}{k}\n";
printf "%s %x %o %e %b %05.2f|%-5s|%5s|\n", "s", 255, 8, 12345.678, 10, 3.14159, "l", "r";
print "tr: ", ($text =~ tr/a//), "\n";
my $str = "k1=v1;k2=v2;k3=v3"; my %kv = $str =~ /(\w+)=(\w+)/g; print join(" ", map { "$_:$kv{$_}" } sort keys %kv), "\n";
opendir(my $d, ".") or die; print join(" ", sort grep { !/^\./ } readdir $d), "\n"; closedir $d;
unlink "out.txt" or die; print -e "out.txt" ? "exists\n" : "gone\n";
print "pack ", unpack("H*", pack("NnC", 0xdeadbeef, 513, 7)), "\n";
local $@; eval { die "oops\n" }; print "eval: $@";
print "sprintf ", sprintf("%3\$s %1\$s %2\$s", "a", "b", "c"), "\n";
'
echo "status $?"
