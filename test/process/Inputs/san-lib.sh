# Helpers for the sanitizer tests (sourced by sanitize.sh and
# sanitize-wrapped.sh): one line per run, for FileCheck.
#
# A sanitizer report: ASan's, TSan's, MSan's, LSan's (an ERROR or WARNING
# line, or the SUMMARY) or UBSan's.
report_re='(ERROR|WARNING): [A-Za-z]*Sanitizer|SUMMARY: [A-Za-z]*Sanitizer|runtime error:'

# clean NAME COMMAND...: a run that must be clean prints its exit status,
# how many report lines its whole output holds (stdout and stderr, to the
# end: a leak found at exit, a race reported in a destructor), and the output
# on one line. The test checks "exit 0, reports 0; <output>" to the end of
# the line.
clean() {
  local name=$1 rc=0
  shift
  "$@" > run.txt 2>&1 || rc=$?
  echo "$name: exit $rc, reports $(grep -cE "$report_re" run.txt); $(tr '\n' ' ' < run.txt | sed 's/ *$//')"
}

# plant NAME PATTERN COMMAND...: a run with a planted bug must fail and
# report it; prints the first match of PATTERN in its stderr.
plant() {
  local name=$1 pattern=$2
  shift 2
  if "$@" > /dev/null 2> report.txt; then
    echo "planted $name: not reported (exit 0)"
  else
    echo "planted $name: $(grep -oE "$pattern" report.txt | head -1)"
  fi
}
