#!/bin/bash
# usage: new_check_frictionless.sh FILE...   -> $OUT/out/<name>/{new,check,fl}.txt
# Each raw file through `govdata new`, then `govdata check`, then `frictionless validate` on the
# descriptor written, each under `timeout 60`, in a scratch catalogue of its own.
# REPO: the checkout whose .venv runs (default: this one); OUT: the scratch folder (default
# /tmp/unseen; round 2 used OUT=/tmp/unseen2).
REPO=${REPO:-$(cd "$(dirname "$0")/../.." && pwd)}; B=$REPO/.venv/bin
OUT=${OUT:-/tmp/unseen}
BASE=$OUT/base
if [ ! -d $BASE ]; then mkdir -p $BASE/datasets/zj-gov; cp $REPO/catalog.yaml $BASE/; cp -r $REPO/schemas $REPO/pipelines $BASE/; cp -r $REPO/datasets/zj-gov/zj-admin-divisions $BASE/datasets/zj-gov/; fi
mkdir -p $OUT/roots $OUT/out
for f in "$@"; do
  n=$(basename "$f" | tr 'A-Z_.' 'a-z--'); n=case-$n
  R=$OUT/roots/$n; rm -rf $R; cp -r $BASE $R
  O=$OUT/out/$n; rm -rf $O; mkdir -p $O
  ( cd $R; /usr/bin/time -f "%e s %U u %S s" timeout 60 $B/govdata new "$f" --publisher hz-amr --name $n --root $R ) > $O/new.txt 2>&1; echo "rc=$?" >> $O/new.txt
  D=$R/datasets/hz-amr/$n
  if [ -d $D ]; then
    ( cd $R; /usr/bin/time -f "%e s %U u %S s" timeout 60 $B/govdata check datasets/hz-amr/$n --root $R --lang en --out $R/_build ) > $O/check.txt 2>&1; echo "rc=$?" >> $O/check.txt
    ( cd $D; timeout 60 $B/frictionless validate datapackage.yaml ) > $O/fl.txt 2>&1; echo "rc=$?" >> $O/fl.txt
  fi
  echo "== $n: new $(tail -1 $O/new.txt) check $(tail -1 $O/check.txt 2>/dev/null) fl $(tail -1 $O/fl.txt 2>/dev/null) tb=$(grep -l Traceback $O/* 2>/dev/null | xargs -r -n1 basename | tr '\n' ' ')"
done
