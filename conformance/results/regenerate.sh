#!/usr/bin/env bash
# Regenerates the reports of the built-in targets (default profile, seed 0):
#   bash conformance/results/regenerate.sh
# torch_cuda / torch_cuda_tf32 exit 3 ('nothing checked: no CUDA device') on a machine
# without one; that is not a failure of this script.
set -u
cd "$(dirname "$0")/../.."
status=0
for t in reference scipy torch_cpu torch_cuda torch_cuda_tf32; do
  python3 -m cnnspec.cli conform "cnnspec.targets.$t" --profile default --seed 0 --quiet \
    --report-json "conformance/results/$t.json" --report-md "conformance/results/$t.md"
  rc=$?
  case "$t:$rc" in
    *:0|torch_cuda*:3) ;;
    *) echo "cnnspec conform cnnspec.targets.$t: exit $rc" >&2; status=1 ;;
  esac
done
exit $status
