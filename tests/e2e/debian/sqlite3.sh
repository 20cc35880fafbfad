# sqlite3 (the CLI): 10,000 inserts in one transaction on a file database,
# then queries (count, sum, a group by, an index lookup).
. "$(dirname "$0")/lib.bash"
need sqlite3
{
  echo "create table t (id integer primary key, grp integer, name text, val real);"
  echo "begin;"
  for ((i = 1; i <= 10000; i++)); do
    echo "insert into t (grp, name, val) values ($((i % 7)), 'n$i', $i.5);"
  done
  echo "commit;"
} >inserts.sql
sqlite3 t.db <inserts.sql
echo "status $?"
sqlite3 t.db <<'SQL'
select count(*), sum(id), sum(val), min(name), max(name) from t;
create index byname on t (name);
select grp, count(*), sum(val) from t group by grp order by grp;
select id, val from t where name = 'n4242';
pragma integrity_check;
.mode csv
select * from t where id in (1, 5000, 10000);
SQL
echo "status $?"
