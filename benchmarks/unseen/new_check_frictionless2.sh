#!/bin/bash
# usage: run.sh FILE...   -> /tmp/unseen2/out/<name>/{new,check,fl}.txt
WT=/work/wt-unseen2; B=$WT/.venv/bin
BASE=/tmp/unseen2/base
if [ ! -d $BASE ]; then mkdir -p $BASE/datasets/zj-gov; cp $WT/catalog.yaml $BASE/; cp -r $WT/schemas $WT/pipelines $BASE/; cp -r $WT/datasets/zj-gov/zj-admin-divisions $BASE/datasets/zj-gov/; fi
mkdir -p /tmp/unseen2/roots /tmp/unseen2/out
for f in "$@"; do
  n=$(basename "$f" | tr 'A-Z_.' 'a-z--'); n=case-$n
  R=/tmp/unseen2/roots/$n; rm -rf $R; cp -r $BASE $R
  O=/tmp/unseen2/out/$n; rm -rf $O; mkdir -p $O
  ( cd $R; /usr/bin/time -f "%e s %U u %S s" timeout 60 $B/govdata new "$f" --publisher hz-amr --name $n --root $R ) > $O/new.txt 2>&1; echo "rc=$?" >> $O/new.txt
  D=$R/datasets/hz-amr/$n
  if [ -d $D ]; then
    ( cd $R; /usr/bin/time -f "%e s %U u %S s" timeout 60 $B/govdata check datasets/hz-amr/$n --root $R --lang en --out $R/_build ) > $O/check.txt 2>&1; echo "rc=$?" >> $O/check.txt
    ( cd $D; timeout 60 $B/frictionless validate datapackage.yaml ) > $O/fl.txt 2>&1; echo "rc=$?" >> $O/fl.txt
  fi
  echo "== $n: new $(tail -1 $O/new.txt) check $(tail -1 $O/check.txt 2>/dev/null) fl $(tail -1 $O/fl.txt 2>/dev/null) tb=$(grep -l Traceback $O/* 2>/dev/null | xargs -r -n1 basename | tr '\n' ' ')"
done
